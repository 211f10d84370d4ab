import type { FastifyReply } from 'fastify';
import type { ApiKey } from '../auth/key-store.js';
import { asApiError } from '../core/as-api-error.js';
import { ApiError } from '../core/errors.js';
import { formatWarning, headerSafe, MAX_WARNINGS, type Warn } from '../core/warnings.js';
import { sseError } from '../encode/sse.js';
import type { Ticket } from '../limits/admission.js';
import type { Deployment, Model } from '../routing/catalog.js';
import type { AttemptRecord, Routed } from '../routing/router.js';
import type { AppContext } from '../server/context.js';
import { logUrl } from '../server/log-url.js';
import { recordUsage, type UsageFacts } from '../usage/record-usage.js';

/** The reason a finished request's leftovers are stopped with (made once: an abort without one builds a DOMException). */
const FINISHED = new Error('the request has ended');

/** A deployment's header values, made header-safe once per deployment rather than per answer. */
const namedDeployments = new WeakMap<Deployment, { provider: string; deployment: string }>();

function deploymentHeaders(deployment: Deployment): { provider: string; deployment: string } {
  let named = namedDeployments.get(deployment);
  if (!named) {
    named = { provider: headerSafe(deployment.provider.name), deployment: headerSafe(`${deployment.provider.name}/${deployment.model}`) };
    namedDeployments.set(deployment, named);
  }
  return named;
}

/** Why a request whose client went away ended, whatever its upstream call made of the abort. */
export function clientClosed(): ApiError {
  return new ApiError('client_closed_request', 'The client closed the connection before the answer ended.');
}

/** What an admitted request is, before it runs. */
export interface ScopeStart {
  endpoint: string;
  model: Model;
  key: ApiKey;
  ticket: Ticket;
  requestId: string;
  stream?: boolean;
  /**
   * Prompt tokens to bill when the request reached an upstream but ended without usage, e.g. its
   * client left before the answer: the provider bills the operator for the prompt all the same.
   */
  promptTokens?: () => Promise<number>;
}

/** How a request ended, for its usage row. */
export type Outcome = Pick<UsageFacts, 'status' | 'httpStatus' | 'error' | 'ttftMs' | 'cachedTokens' | 'cacheWriteTokens' | 'units' | 'attempts' | 'upstreamId' | 'builtinToolCalls'> &
  Partial<Pick<UsageFacts, 'promptTokens' | 'completionTokens' | 'deployment'>>;

/**
 * Everything an admitted upstream-bound request holds, and the one place it is given back: the
 * abort signal (client gone or total timeout), its place in the in-flight count that shutdown
 * waits on, the deployment it holds, its admission ticket (concurrency slot, tokens per minute,
 * credit reservation) and its usage row. `run` settles all of them exactly once, whatever the
 * request's code throws and wherever, and ends a hijacked response that was left open.
 */
export class RequestScope {
  readonly started = performance.now();
  readonly requestId: string;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private warnings: string[] | undefined;
  private droppedWarnings = 0;
  private readonly onClose: () => void;
  private held: Extract<Routed<unknown>, { ok: true }> | undefined;
  private served: Pick<Extract<Routed<unknown>, { ok: true }>, 'deployment' | 'attempts'> | undefined;
  private recorded: Promise<void> | undefined;
  private hijacked = false;
  private stopLeftovers = false;
  /** Set when the client went away before the response ended. */
  clientGone = false;
  /** Set when the request outlived its total timeout. */
  timeout: ApiError | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly reply: FastifyReply,
    private readonly start: ScopeStart,
  ) {
    this.requestId = start.requestId;
    const res = reply.raw;
    this.onClose = () => {
      if (res.writableFinished) return;
      this.clientGone = true;
      this.controller.abort();
    };
    res.on('close', this.onClose);
    // A client that left while the request was authenticated and admitted (awaits that may take a
    // database round trip) closed before anyone listened: its 'close' will not come again.
    if (res.destroyed && !res.writableFinished) {
      this.clientGone = true;
      this.controller.abort();
    }
    const totalMs = start.model.timeouts.totalMs;
    this.timer = setTimeout(() => {
      this.timeout = new ApiError('upstream_timeout', `The request took longer than its total timeout of ${totalMs} ms.`);
      this.controller.abort();
    }, totalMs);
    ctx.inFlight.count++;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Reports what a provider cannot honour, as `code: message`; bound so providers can call it detached. */
  readonly warn: Warn = (code, message) => {
    if ((this.warnings ??= []).length >= MAX_WARNINGS) this.droppedWarnings++;
    else this.warnings.push(formatWarning(code, message));
  };

  /** Headers every answer carries, errors too: its request id, the deployment that served it (or failed last) after how many attempts, any warnings. */
  headers(deployment: Deployment | undefined, attempts?: readonly AttemptRecord[]): Record<string, string> {
    // The reply's own (CORS, the route's), which an answer written past Fastify would otherwise lose.
    const headers = this.reply.getHeaders() as Record<string, string>;
    headers['x-request-id'] = this.requestId;
    if (deployment) {
      const named = deploymentHeaders(deployment);
      headers['x-opensq-provider'] = named.provider;
      headers['x-opensq-deployment'] = named.deployment;
    } else if (attempts?.length) {
      headers['x-opensq-provider'] = headerSafe(attempts[attempts.length - 1].provider);
    }
    if (attempts) headers['x-opensq-attempts'] = String(attempts.length);
    if (attempts?.at(-1)?.panic) headers['x-opensq-panic'] = '1';
    if (this.warnings?.length) {
      headers['x-opensq-warnings'] = this.warnings.join('; ') + (this.droppedWarnings ? `; and ${this.droppedWarnings} more` : '');
    }
    return headers;
  }

  setHeaders(deployment: Deployment | undefined, attempts?: readonly AttemptRecord[]): void {
    this.reply.headers(this.headers(deployment, attempts));
  }

  /** Asks `run` to abort the signal once the request has settled: work it started may still be running. */
  stopLeftoversAtEnd(): void {
    this.stopLeftovers = true;
  }

  /** Takes the response over from Fastify (to stream it); `run` ends it if the request's code does not. */
  hijack(): void {
    this.hijacked = true;
    this.reply.hijack();
  }

  /** The deployment now serving this request: released when it settles, or earlier by `release`. */
  hold(routed: Extract<Routed<unknown>, { ok: true }>): void {
    this.held = routed;
    this.served = routed;
  }

  /** Gives the held deployment back (once), blaming it for `failure` if that is its fault. */
  release(failure?: ApiError): void {
    const held = this.held;
    this.held = undefined;
    held?.done(failure);
  }

  /** Writes the usage row and settles the admission ticket; only the first call counts. */
  record(outcome: Outcome): Promise<void> {
    this.recorded ??= recordUsage(this.ctx, {
      requestId: this.requestId,
      endpoint: this.start.endpoint,
      model: this.start.model,
      key: this.start.key,
      started: this.started,
      stream: this.start.stream,
      ticket: this.start.ticket,
      requestBody: this.reply.request.bodyText,
      promptTokens: 0,
      completionTokens: 0,
      ...outcome,
      deployment: outcome.deployment ?? this.served?.deployment,
      attempts: outcome.attempts ?? this.served?.attempts,
    });
    return this.recorded;
  }

  /**
   * Ends a request no deployment could serve before a byte reached the client: its usage row says
   * why (client_closed_request when the client left, the total timeout when it ran out, else the
   * last attempt's error), billing the prompt if an upstream got it; then the error goes to the error handler.
   */
  async fail(routed: Extract<Routed<unknown>, { ok: false }>): Promise<never> {
    const cancelled = this.clientGone;
    const error = cancelled ? clientClosed() : this.timeout ?? routed.error;
    const reachedUpstream = routed.attempts.length > 0 && (cancelled || error.code === 'upstream_timeout');
    const promptTokens = reachedUpstream && this.start.promptTokens ? await this.start.promptTokens() : 0;
    await this.record({ deployment: routed.deployment, attempts: routed.attempts, promptTokens, status: cancelled ? 'cancelled' : 'error', httpStatus: error.status, error });
    this.setHeaders(routed.deployment, routed.attempts);
    throw error;
  }

  /** Runs the request's code, then settles everything it holds exactly once, whatever happened. */
  async run(work: () => Promise<void>): Promise<void> {
    let failure: unknown;
    try {
      await work();
    } catch (error) {
      failure = error;
    }
    try {
      await this.settle(failure);
    } catch (error) {
      this.ctx.log.error({ err: error, requestId: this.requestId }, 'could not settle a request');
    } finally {
      clearTimeout(this.timer);
      this.reply.raw.off('close', this.onClose);
      // Whatever the request started and did not wait for (images still loading) stops now.
      if (this.stopLeftovers) this.controller.abort(FINISHED);
      this.ctx.inFlight.count--;
    }
    // A hijacked response was ended by `settle`; anything else goes to Fastify's error handler.
    if (failure !== undefined && !this.hijacked) throw failure;
  }

  private async settle(failure: unknown): Promise<void> {
    const error = failure === undefined ? undefined : this.timeout ?? asApiError(failure);
    if (failure !== undefined && !(failure instanceof ApiError)) {
      this.ctx.log.error({ err: failure, requestId: this.requestId, url: logUrl(this.reply.request.url) }, 'request failed');
    }
    this.release(error);
    if (this.recorded === undefined) {
      if (!this.hijacked) this.setHeaders(this.served?.deployment, this.served?.attempts);
      const ended = this.clientGone ? clientClosed() : (error ?? new ApiError('internal_error', 'The request ended without an answer.'));
      await this.record({ status: this.clientGone ? 'cancelled' : 'error', httpStatus: ended.status, error: ended });
    } else {
      await this.recorded;
    }
    if (this.warnings?.length) this.ctx.log.warn({ requestId: this.requestId, codes: [...new Set(this.warnings.map((w) => w.slice(0, w.indexOf(':'))))], warnings: this.warnings, more: this.droppedWarnings || undefined }, 'parameters not honoured');
    if (this.hijacked) this.endHijacked(error);
  }

  /** A streamed response its code left open gets an error in the form its client can read, or is closed. */
  private endHijacked(error: ApiError | undefined): void {
    const res = this.reply.raw;
    if (res.writableEnded || res.destroyed) return;
    const failure = error ?? new ApiError('internal_error', 'The response ended unexpectedly.');
    try {
      if (this.clientGone) res.destroy();
      else if (!res.headersSent) {
        const headers = this.headers(undefined);
        headers['content-type'] = 'application/json';
        res.writeHead(failure.status, headers);
        res.end(JSON.stringify(failure.toJSON()));
      } else res.end(sseError(failure));
    } catch {
      res.destroy();
    }
  }
}
