import type { IncomingMessage, ServerResponse } from 'node:http';

/** A hostile fake's handler: the request, its response, the JSON body ({} when not JSON) and the fault mode. */
export type HostileHandler = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, mode: string) => void;

/**
 * A request listener for the hostile fakes: reads the whole body, parses it when it is JSON, and
 * takes the fault from a `#h-<mode>` marker anywhere in it ('ok' without one).
 */
export function readHostileRequest(handle: HostileHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // A body that is not JSON gets the default answer.
      }
      handle(req, res, body, /#h-([a-z0-9-]+)/.exec(text)?.[1] ?? 'ok');
    });
  };
}
