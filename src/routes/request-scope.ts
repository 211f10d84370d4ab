import type { FastifyReply } from 'fastify';
import { ApiError } from '../core/errors.js';
import type { Deployment } from '../routing/catalog.js';
import type { AttemptRecord } from '../routing/router.js';
import type { AppContext } from '../server/context.js';

/**
 * What one upstream-bound request holds while it runs: an abort signal fired by the client going
 * away or by the total timeout (and which of the two it was), its start time, the warnings
 * providers report, and its place in the in-flight count that shutdown waits on.
 */
export class RequestScope {
  readonly started = performance.now();
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private warnings: string[] | undefined;
  private readonly onClose: () => void;
  /** Set when the client went away before the response ended. */
  clientGone = false;
  /** Set when the request outlived its total timeout. */
  timeout: ApiError | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly reply: FastifyReply,
    totalMs: number,
    readonly requestId: string,
  ) {
    const res = reply.raw;
    this.onClose = () => {
      if (res.writableFinished) return;
      this.clientGone = true;
      this.controller.abort();
    };
    res.on('close', this.onClose);
    this.timer = setTimeout(() => {
      this.timeout = new ApiError('upstream_timeout', `The request took longer than its total timeout of ${totalMs} ms.`);
      this.controller.abort();
    }, totalMs);
    ctx.inFlight.count++;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Bound so providers can call it detached. */
  readonly warn = (message: string): void => {
    (this.warnings ??= []).push(message);
    this.ctx.log.warn({ url: this.reply.request.url }, message);
  };

  /** Headers every answer carries: its request id, the deployment that served it after how many attempts, any warnings. */
  headers(deployment: Deployment | undefined, attempts?: readonly AttemptRecord[]): Record<string, string> {
    const headers: Record<string, string> = { 'x-request-id': this.requestId };
    if (deployment) {
      headers['x-opensq-provider'] = deployment.provider.name;
      headers['x-opensq-deployment'] = `${deployment.provider.name}/${deployment.model}`;
    }
    if (attempts) headers['x-opensq-attempts'] = String(attempts.length);
    if (this.warnings) headers['x-opensq-warnings'] = this.warnings.join('; ').replace(/[\r\n]+/g, ' ');
    return headers;
  }

  setHeaders(reply: FastifyReply, deployment: Deployment | undefined, attempts?: readonly AttemptRecord[]): void {
    reply.headers(this.headers(deployment, attempts));
  }

  end(): void {
    clearTimeout(this.timer);
    this.reply.raw.off('close', this.onClose);
    this.ctx.inFlight.count--;
  }
}
