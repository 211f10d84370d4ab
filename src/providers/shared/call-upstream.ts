import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { ApiError, UpstreamError } from '../../core/errors.js';
import { sanitizeRetryAfter } from '../../core/retry-after.js';
import type { ProviderConfig, Timeouts } from '../types.js';
import { dispatchUpstream, type UpstreamExchange } from './dispatch-upstream.js';
import { upstreamDispatcher } from './http-client.js';
import { malformedAnswer } from './malformed-answer.js';
import { mapTransportError } from './map-transport-error.js';
import { allowsPrivateAddresses, isPrivateIPLiteral, publicOnlyDispatcher, refusedAsPrivate } from './public-only-dispatcher.js';
import { providerSecrets, redactError, redactText } from './redact-secrets.js';
import { FormData } from './undici-parts.js';

export interface UpstreamRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** JSON (any object) or a multipart form. */
  body?: object | FormData;
  /** Aborted when the client goes away or the request's total timeout passes. */
  signal: AbortSignal;
  /** The request's own timeouts (the model's over the provider's); the provider's when absent. */
  timeouts?: Timeouts;
  /**
   * The URL is one the provider handed out (a generated file on its CDN): it may lie off the
   * provider's own origin, and then it is fetched without credentials, from public addresses only
   * (unless the operator allows private ones), following up to three redirects. Without this flag
   * a URL off the provider's own hosts is refused.
   */
  handedOut?: boolean;
  /**
   * Hosts besides the base URL's origin that are the provider's own and take its credentials
   * (BFL's regional API hosts); reached through the public-address guard.
   */
  ownHost?(url: URL): boolean;
  /** The largest body read whole, in bytes; 64 MiB when absent. */
  maxBytes?: number;
  /**
   * The provider's error response in our terms; `body` has the provider's credentials scrubbed.
   * Whatever it answers for a refusal of the credentials is replaced by one generic error.
   */
  mapError(status: number, body: string, retryAfter: string | undefined): ApiError;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as it arrives, for stream relays (whose reader maps read failures, as `readEventStream` does). */
  body: AsyncIterable<Uint8Array>;
  /** The whole body; a reset, a timeout or more than `maxBytes` is our 502 or 504. */
  bytes(): Promise<Buffer>;
  text(): Promise<string>;
  /** The body parsed as JSON; anything else is a 502 naming `what` ("an images answer"). */
  json<T>(what: string): Promise<T>;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** Enough of an error page to diagnose it; the rest is not read. */
const ERROR_BODY_BYTES = 64 * 1024;
const MAX_REDIRECTS = 3;

/**
 * The one door to a provider's HTTP API, in the spirit of the Vercel AI SDK's `postJsonToApi`:
 * every call to an upstream goes through it, and it always
 * - sends the request only to the provider's own origin (or own hosts), or, for a URL the provider
 *   handed out, through the public-address guard and without the provider's credentials;
 * - applies the request's connect, first-byte and idle timeouts (the total is the caller's: its
 *   signal, which a request's scope aborts when the total runs out);
 * - turns a refusal of the operator's credentials (401/403 to a request that carried them, or
 *   whatever the provider's mapper calls `upstream_auth_error`) into one generic 502;
 * - reads bodies guarded (a reset is a 502, a timeout a 504, an oversized body a 502);
 * - scrubs the provider's credentials from every error it throws: message, upstream body, causes.
 */
export async function callUpstream(config: ProviderConfig, req: UpstreamRequest, method = req.method ?? 'GET'): Promise<UpstreamResponse> {
  const timeouts = req.timeouts ?? config.timeouts;
  const secrets = providerSecrets(config);
  const fail = (error: unknown): ApiError => redactError(asUpstreamError(config.name, error, req.signal), secrets);
  const call: Call = { config, req, secrets, connectMs: timeouts.connectMs, fail };
  // Encoded before the exchange: a body that cannot be encoded is the gateway's failure, not the provider's.
  const body = req.body === undefined || req.body instanceof FormData ? req.body : JSON.stringify(req.body);
  try {
    let target = ownEndpoint(config, req.url) ?? endpointOf(new URL(req.url));
    for (let redirects = 0; ; redirects++) {
      const route = routeFor(call, target);
      // The dispatcher itself, with origin and path already known, and no request() machinery (bench/README.md, issue 16).
      const res = await dispatchUpstream(
        route.dispatcher,
        { origin: target.origin, path: target.path, method, headers: route.headers, body, headersTimeout: timeouts.firstByteMs, bodyTimeout: timeouts.idleMs },
        req.signal,
      );
      const location = res.headers.location;
      if (req.handedOut && res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string' && redirects < MAX_REDIRECTS) {
        await res.body.dump();
        target = endpointOf(new URL(location, target.url));
        continue;
      }
      if (res.statusCode >= 200 && res.statusCode < 300) return answer(call, res);
      throw await failure(call, res, route.credentials);
    }
  } catch (error) {
    throw fail(error);
  }
}

/** One call to an upstream, as its helpers need it: built once per call. */
interface Call {
  config: ProviderConfig;
  req: UpstreamRequest;
  /** The provider's credentials, scrubbed from whatever the call throws. */
  secrets: readonly string[];
  connectMs: number;
  /** Any failure of the call in our error shape, scrubbed. */
  fail(error: unknown): ApiError;
}

/** A URL with the parts undici's dispatcher takes, each computed once. */
interface Endpoint {
  url: URL;
  href: string;
  origin: string;
  path: string;
}

function endpointOf(url: URL): Endpoint {
  return { url, href: url.href, origin: url.origin, path: url.pathname + url.search };
}

/** The origin of a provider's base URL, parsed once per config; null without a valid one. */
const baseOrigins = new WeakMap<ProviderConfig, string | null>();

function baseOrigin(config: ProviderConfig): string | null {
  let origin = baseOrigins.get(config);
  if (origin === undefined) {
    origin = config.baseUrl && URL.canParse(config.baseUrl) ? new URL(config.baseUrl).origin : null;
    baseOrigins.set(config, origin);
  }
  return origin;
}

/**
 * The URLs on a provider's own origin that it calls (chat, embeddings, ...: a handful), parsed
 * once per config. Others (handed-out files, URLs with ids in them) are parsed per call and, past
 * the first few, not kept.
 */
const ownEndpoints = new WeakMap<ProviderConfig, Map<string, Endpoint>>();
const MAX_OWN_ENDPOINTS = 16;

function ownEndpoint(config: ProviderConfig, href: string): Endpoint | undefined {
  let known = ownEndpoints.get(config);
  const hit = known?.get(href);
  if (hit || !URL.canParse(href)) return hit;
  const endpoint = endpointOf(new URL(href));
  if (endpoint.origin !== baseOrigin(config)) return endpoint;
  if (!known) ownEndpoints.set(config, (known = new Map()));
  if (known.size < MAX_OWN_ENDPOINTS) known.set(href, endpoint);
  return endpoint;
}

interface Route {
  dispatcher: Dispatcher;
  headers: Record<string, string>;
  /** Whether the request carries one of the provider's credentials. */
  credentials: boolean;
}

/** Where and with which headers a URL may be called, or why it may not. */
function routeFor({ config, req, secrets, connectMs }: Call, target: Endpoint): Route {
  const url = target.url;
  const headers = req.headers ?? {};
  const credentials = secrets.length > 0 && secrets.some((s) => target.href.includes(s) || Object.values(headers).some((v) => v.includes(s)));
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused(config.name, url, 'that is not http(s)');
  if (target.origin === baseOrigin(config)) {
    return { dispatcher: upstreamDispatcher(connectMs), headers, credentials };
  }
  const own = req.ownHost?.(url) === true;
  if (!own && !req.handedOut) throw refused(config.name, url, 'off its own hosts');
  if (isPrivateIPLiteral(url.hostname) && !allowsPrivateAddresses()) throw refused(config.name, url, 'on a private or local address');
  if (own) return { dispatcher: publicOnlyDispatcher(connectMs), headers, credentials };
  const anonymous = Object.fromEntries(Object.entries(headers).filter(([, v]) => !secrets.some((s) => v.includes(s))));
  return { dispatcher: publicOnlyDispatcher(connectMs), headers: anonymous, credentials: false };
}

function refused(provider: string, url: URL, why: string): UpstreamError {
  return new UpstreamError('upstream_error', `provider ${provider} handed out a URL ${why}: ${url.host}; it was not fetched`, { provider });
}

/** An error response in our terms, its body scrubbed, a refusal of the credentials made generic. */
async function failure({ config, req, secrets }: Call, res: UpstreamExchange, credentials: boolean): Promise<ApiError> {
  const { data } = await res.body.readUpTo(ERROR_BODY_BYTES).catch(() => ({ data: Buffer.alloc(0) }));
  const body = redactText(data.toString('utf8'), secrets);
  const status = res.statusCode;
  if (credentials && (status === 401 || status === 403)) return credentialsRefused(config.name, status, body);
  const retryAfter = res.headers['retry-after'];
  const mapped = req.mapError(status, body, sanitizeRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined));
  return mapped.code === 'upstream_auth_error' ? credentialsRefused(config.name, status, body) : mapped;
}

/** Never quotes the upstream: its text may name the key it refused. The body stays on the error, for logs. */
function credentialsRefused(provider: string, status: number, body: string): UpstreamError {
  return new UpstreamError('upstream_auth_error', `provider ${provider} refused the operator's credentials (${status}); the operator must check the provider's key and account`, {
    provider,
    upstreamStatus: status,
    upstreamBody: body,
  });
}

function answer({ config, req, secrets, fail }: Call, res: UpstreamExchange): UpstreamResponse {
  const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;
  const tooLarge = (): UpstreamError => new UpstreamError('upstream_error', `provider ${config.name} sent a body larger than ${maxBytes} bytes`, { provider: config.name });
  const bytes = async (): Promise<Buffer> => {
    try {
      if (Number(res.headers['content-length']) > maxBytes) {
        res.body.destroy();
        throw tooLarge();
      }
      const { data, complete } = await res.body.readUpTo(maxBytes);
      if (!complete) throw tooLarge();
      return data;
    } catch (error) {
      throw fail(error);
    }
  };
  const text = async (): Promise<string> => {
    const data = await bytes();
    // As undici's body.text() did for a declared length: a UTF-8 byte order mark is no part of the text.
    const bom = Number(res.headers['content-length']) <= maxBytes && data.length > 2 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf;
    return data.toString('utf8', bom ? 3 : 0);
  };
  return {
    status: res.statusCode,
    headers: res.headers,
    body: res.body,
    bytes,
    text,
    async json<T>(what: string): Promise<T> {
      const body = await text();
      try {
        return JSON.parse(body) as T;
      } catch (cause) {
        throw redactError(malformedAnswer({ provider: config.name, what: `${what} that is not JSON`, body, cause }), secrets);
      }
    },
  };
}

/** A failure to talk to the upstream (no HTTP answer, or a body cut short) in our error shape. */
function asUpstreamError(provider: string, error: unknown, signal: AbortSignal): ApiError {
  if (error instanceof ApiError) return error;
  if (refusedAsPrivate(error)) return new UpstreamError('upstream_error', `provider ${provider} handed out a URL on a private or local address (by DNS); it was not fetched`, { provider });
  return mapTransportError(provider, error, signal);
}
