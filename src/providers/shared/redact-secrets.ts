import { ApiError, UpstreamError } from '../../core/errors.js';
import type { ProviderConfig } from '../types.js';

/** Option and query parameter names that hold credentials. */
const SECRET_NAME = /key|secret|token|password|credential|signature/i;
/**
 * Shorter values are placeholders local servers accept (`ollama`, `EMPTY`), not credentials:
 * scrubbing them would blank ordinary words out of error messages.
 */
const MIN_SECRET_LENGTH = 8;
const REDACTED = '[redacted]';

/**
 * Every credential a provider's config holds: its key, the user and password of its base URL,
 * secret-named query parameters of that URL and secret-named string options. Longest first, so a
 * secret that contains another is scrubbed whole.
 */
export function providerSecrets(config: ProviderConfig): string[] {
  let secrets = known.get(config);
  if (!secrets) {
    secrets = findSecrets(config);
    known.set(config, secrets);
  }
  return secrets;
}

/** A provider's config lives as long as the process: its secrets are found once, not per request. */
const known = new WeakMap<ProviderConfig, string[]>();

function findSecrets(config: ProviderConfig): string[] {
  const found: unknown[] = [config.apiKey];
  if (config.baseUrl && URL.canParse(config.baseUrl)) {
    const base = new URL(config.baseUrl);
    found.push(base.username, base.password, decodeURIComponent(base.username), decodeURIComponent(base.password));
    for (const [name, value] of base.searchParams) if (SECRET_NAME.test(name)) found.push(value);
  }
  for (const [name, value] of Object.entries(config.options)) if (SECRET_NAME.test(name)) found.push(value);
  const secrets = found.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
  return [...new Set(secrets)].sort((a, b) => b.length - a.length);
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.replaceAll(secret, REDACTED);
  return out;
}

const mentions = (text: string | undefined, secrets: readonly string[]): boolean => !!text && secrets.some((s) => text.includes(s));

function causeMentions(cause: unknown, secrets: readonly string[], depth = 0): boolean {
  if (depth > 5 || cause === undefined || cause === null) return false;
  if (!(cause instanceof Error)) return mentions(String(cause), secrets);
  return mentions(cause.message, secrets) || mentions(cause.stack, secrets) || causeMentions(cause.cause, secrets, depth + 1);
}

/** A cause as the log will show it, credentials scrubbed: name, code, message, stack and its own cause. */
function redactCause(cause: unknown, secrets: readonly string[], depth = 0): unknown {
  if (!causeMentions(cause, secrets, depth)) return cause;
  if (!(cause instanceof Error)) return redactText(String(cause), secrets);
  const copy: Error & { code?: unknown } = new Error(redactText(cause.message, secrets), { cause: redactCause(cause.cause, secrets, depth + 1) });
  copy.name = cause.name;
  copy.stack = cause.stack && redactText(cause.stack, secrets);
  if ('code' in cause) copy.code = cause.code;
  return copy;
}

/**
 * The error as clients and logs may see it: every credential scrubbed from its message, its
 * upstream body and its causes. An error that mentions none is returned as it is.
 */
export function redactError(error: ApiError, secrets: readonly string[]): ApiError {
  const upstreamBody = error instanceof UpstreamError ? error.upstreamBody : undefined;
  if (!mentions(error.message, secrets) && !mentions(upstreamBody, secrets) && !causeMentions(error.cause, secrets)) return error;
  const message = redactText(error.message, secrets);
  const options = { status: error.status, type: error.type, param: error.param, retryAfter: error.retryAfter, cause: redactCause(error.cause, secrets) };
  const copy =
    error instanceof UpstreamError
      ? new UpstreamError(error.code, message, { ...options, provider: error.provider, upstreamStatus: error.upstreamStatus, upstreamBody: upstreamBody && redactText(upstreamBody, secrets) })
      : new ApiError(error.code, message, options);
  copy.stack = error.stack && redactText(error.stack, secrets);
  return copy;
}
