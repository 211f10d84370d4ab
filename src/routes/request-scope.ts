import type { FastifyReply } from 'fastify';
import type { Deployment } from '../routing/catalog.js';
import type { AppContext } from '../server/context.js';

/**
 * What one upstream-bound request holds while it runs: an abort signal fired by the client going
 * away or the total timeout, its start time, the warnings providers report, and its place in the
 * in-flight count that shutdown waits on.
 */
export class RequestScope {
  readonly started = performance.now();
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private warnings: string[] | undefined;
  private readonly onClose: () => void;

  constructor(
    private readonly ctx: AppContext,
    private readonly reply: FastifyReply,
    totalMs: number,
    readonly requestId: string,
  ) {
    const res = reply.raw;
    this.onClose = () => {
      if (!res.writableFinished) this.controller.abort();
    };
    res.on('close', this.onClose);
    this.timer = setTimeout(() => this.controller.abort(), totalMs);
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

  /** Headers every answer carries: its request id, the provider that served it, any warnings. */
  headers(deployment: Deployment | undefined): Record<string, string> {
    const headers: Record<string, string> = { 'x-request-id': this.requestId };
    if (deployment) headers['x-opensq-provider'] = deployment.provider.name;
    if (this.warnings) headers['x-opensq-warnings'] = this.warnings.join('; ').replace(/[\r\n]+/g, ' ');
    return headers;
  }

  setHeaders(reply: FastifyReply, deployment: Deployment | undefined): void {
    reply.headers(this.headers(deployment));
  }

  end(): void {
    clearTimeout(this.timer);
    this.reply.raw.off('close', this.onClose);
    this.ctx.inFlight.count--;
  }
}
