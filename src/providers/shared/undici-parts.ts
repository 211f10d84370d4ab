import { createRequire } from 'node:module';
import type * as Undici from 'undici';

/**
 * The parts of undici the gateway uses, each from its own module rather than undici's index: the
 * index loads every dispatcher, interceptor, mock, cache store and fetch with it, ~2.8 MB of heap
 * (and more of RSS) that the default configuration never touches. These are the modules the
 * index itself re-exports (a test holds them to be the same objects), so a moved file fails loudly.
 */
const load = createRequire(import.meta.url);

export const Agent: typeof Undici.Agent = load('undici/lib/dispatcher/agent.js');
export type Agent = Undici.Agent;
export const errors: typeof Undici.errors = load('undici/lib/core/errors.js');
export const parseHeaders: typeof Undici.util.parseHeaders = load('undici/lib/core/util.js').parseHeaders;
export const FormData: typeof Undici.FormData = load('undici/lib/web/fetch/formdata.js').FormData;
export type FormData = Undici.FormData;

const requestOn: (this: Undici.Dispatcher, opts: Undici.Dispatcher.RequestOptions) => Promise<Undici.Dispatcher.ResponseData> = load('undici/lib/api/api-request.js');

/** undici's `request()` on one dispatcher (the index's `request` is this, reached through its global dispatcher). */
export function requestWith(dispatcher: Undici.Dispatcher, url: URL, opts: Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path' | 'method'>): Promise<Undici.Dispatcher.ResponseData> {
  return requestOn.call(dispatcher, { ...opts, origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET' });
}
