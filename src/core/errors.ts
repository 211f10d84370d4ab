/**
 * One registry of the errors the gateway answers with. Each has a stable code, an HTTP status,
 * the OpenAI error `type` and whether a client (or our router) may retry it.
 */
export const ERRORS = {
  invalid_json: { status: 400, type: 'invalid_request_error', retryable: false },
  invalid_request: { status: 400, type: 'invalid_request_error', retryable: false },
  unsupported_parameter: { status: 400, type: 'invalid_request_error', retryable: false },
  /** The prompt alone fills the model's context (OpenAI's code for it). */
  context_length_exceeded: { status: 400, type: 'invalid_request_error', retryable: false },
  content_policy_violation: { status: 400, type: 'invalid_request_error', retryable: false },
  invalid_api_key: { status: 401, type: 'invalid_request_error', retryable: false },
  missing_api_key: { status: 401, type: 'invalid_request_error', retryable: false },
  insufficient_quota: { status: 402, type: 'insufficient_quota', retryable: false },
  model_not_allowed: { status: 403, type: 'invalid_request_error', retryable: false },
  wrong_owner_key: { status: 403, type: 'invalid_request_error', retryable: false },
  admin_forbidden: { status: 403, type: 'invalid_request_error', retryable: false },
  model_not_found: { status: 404, type: 'invalid_request_error', retryable: false },
  not_found: { status: 404, type: 'invalid_request_error', retryable: false },
  admin_disabled: { status: 404, type: 'invalid_request_error', retryable: false },
  method_not_allowed: { status: 405, type: 'invalid_request_error', retryable: false },
  /** The request's body did not arrive in time (it stalled or trickled). */
  request_timeout: { status: 408, type: 'invalid_request_error', retryable: false },
  request_too_large: { status: 413, type: 'invalid_request_error', retryable: false },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', retryable: false },
  range_not_satisfiable: { status: 416, type: 'invalid_request_error', retryable: false },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error', retryable: true },
  /** An upstream's 429, not the gateway's own limits: its Retry-After is passed on. */
  upstream_rate_limited: { status: 429, type: 'rate_limit_error', retryable: true },
  /** The client went away before its answer ended (nginx's 499): logged and recorded, never sent. */
  client_closed_request: { status: 499, type: 'invalid_request_error', retryable: false },
  internal_error: { status: 500, type: 'server_error', retryable: true },
  upstream_error: { status: 502, type: 'upstream_error', retryable: true },
  upstream_auth_error: { status: 502, type: 'upstream_error', retryable: false },
  provider_not_configured: { status: 503, type: 'service_unavailable', retryable: false },
  model_unavailable: { status: 503, type: 'service_unavailable', retryable: true },
  limits_unavailable: { status: 503, type: 'service_unavailable', retryable: true },
  /** `serve --workers N`: a worker did not hand its metrics to the primary in time. */
  metrics_unavailable: { status: 503, type: 'service_unavailable', retryable: true },
  upstream_timeout: { status: 504, type: 'timeout_error', retryable: true },
  insufficient_storage: { status: 507, type: 'server_error', retryable: false },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorOptions {
  param?: string | null;
  /** Overrides the registry status, e.g. to relay an upstream 4xx unchanged. */
  status?: number;
  type?: string;
  retryAfter?: string;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly retryable: boolean;
  readonly retryAfter: string | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, { cause: options.cause });
    const entry = ERRORS[code];
    this.name = 'ApiError';
    this.code = code;
    this.status = options.status ?? entry.status;
    this.type = options.type ?? entry.type;
    this.param = options.param ?? null;
    this.retryable = entry.retryable;
    this.retryAfter = options.retryAfter;
  }

  /** The OpenAI error body: `{"error":{"message","type","param","code"}}`. */
  toJSON(): { error: { message: string; type: string; param: string | null; code: string } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/**
 * The longest message an upstream error keeps, in characters: the upstream's own text quoted in it
 * is bounded the same whether it came in an error body (read up to 64 KiB) or in an event of a
 * stream already under way (up to the 64 MiB an event may hold).
 */
export const MAX_UPSTREAM_MESSAGE_CHARS = 4096;

function bounded(message: string): string {
  if (message.length <= MAX_UPSTREAM_MESSAGE_CHARS) return message;
  return `${message.slice(0, MAX_UPSTREAM_MESSAGE_CHARS)}… (${message.length - MAX_UPSTREAM_MESSAGE_CHARS} more characters)`;
}

/** An error raised by a provider's upstream, keeping what is needed to diagnose it. */
export class UpstreamError extends ApiError {
  readonly provider: string;
  readonly upstreamStatus: number | undefined;
  /** The upstream body, truncated; never holds our credentials. */
  readonly upstreamBody: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details: { provider: string; upstreamStatus?: number; upstreamBody?: string } & ErrorOptions,
  ) {
    super(code, bounded(message), details);
    this.name = 'UpstreamError';
    this.provider = details.provider;
    this.upstreamStatus = details.upstreamStatus;
    this.upstreamBody = details.upstreamBody?.slice(0, 2000);
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
