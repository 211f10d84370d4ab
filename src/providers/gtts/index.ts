import { ApiError, type ErrorCode, UpstreamError } from '../../core/errors.js';
import type { SpeechCall, SpeechResult } from '../../core/speech.js';
import { callUpstream } from '../shared/call-upstream.js';
import type { ProviderConfig } from '../types.js';
import { splitTtsText } from './split-tts-text.js';
import { clientName } from '../../core/warnings.js';

/** Google Translate's TTS reads at most about 200 characters per request. */
const MAX_CHUNK = 200;
/**
 * The most audio one chunk may bring: 200 characters are about 15 s of Google's 32 kbit/s MP3
 * (60 KB), twice that slowed. Without it a hostile upstream could send 64 MiB for each of the 100
 * chunks of a 20,000-character text, all held until joined.
 */
const MAX_CHUNK_BYTES = 1024 * 1024;
/** Requests in flight at once for one text; answers are joined in text order. */
const CONCURRENCY = 3;
const LANG = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/;

/**
 * The Google Translate TTS protocol, as gTTS speaks it: `GET {base}/translate_tts?ie=UTF-8&q=...
 * &tl=<lang>&client=tw-ob`, one request per chunk of text, MP3 answers. MP3 is a sequence of
 * self-contained frames, so the chunks' audio joined in order is one playable file.
 */
export class GttsAdapter {
  readonly config: ProviderConfig;

  constructor(config: ProviderConfig) {
    this.config = config;
  }

  async speak(call: SpeechCall): Promise<SpeechResult> {
    const lang = call.lang ?? 'en';
    if (!LANG.test(lang)) throw new ApiError('invalid_request', `Invalid 'lang': ${JSON.stringify(lang).slice(0, 40)} is not a language code such as en or pt-BR.`, { param: 'lang' });
    if (call.format !== undefined && call.format !== 'mp3') {
      throw new ApiError('invalid_request', `The model \`${call.publicModel}\` produces mp3 only, not ${call.format}.`, { param: 'response_format' });
    }
    if (call.voice) call.warn('dropped_parameter', `provider ${this.config.name} has no voices; ${clientName(call.voice)} was ignored (the language decides the voice)`);
    let slow = false;
    if (call.speed !== undefined && call.speed !== 1) {
      slow = call.speed < 1;
      call.warn('adjusted_parameter', `provider ${this.config.name} speaks at normal or slow speed only; speed ${call.speed} was read as ${slow ? 'slow' : 'normal'}`);
    }
    const chunks = splitTtsText(call.text, MAX_CHUNK);
    const audio: Buffer[] = new Array(chunks.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const idx = next++;
        audio[idx] = await this.fetchChunk(chunks[idx], idx, chunks.length, lang.replace('_', '-'), slow, call);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, chunks.length) }, worker));
    return { audio: Buffer.concat(audio), format: 'mp3', contentType: 'audio/mpeg' };
  }

  private async fetchChunk(text: string, idx: number, total: number, lang: string, slow: boolean, call: SpeechCall): Promise<Buffer> {
    const { config } = this;
    const query = new URLSearchParams({ ie: 'UTF-8', q: text, tl: lang, total: String(total), idx: String(idx), textlen: String(Array.from(text).length), client: 'tw-ob' });
    if (slow) query.set('ttsspeed', '0.24');
    const base = (config.baseUrl ?? '').replace(/\/+$/, '');
    const res = await callUpstream(config, {
      url: `${base}/translate_tts?${query}`,
      headers: { 'user-agent': 'Mozilla/5.0 (compatible; OpenSq)', referer: `${base}/`, accept: 'audio/mpeg, */*' },
      signal: call.signal,
      timeouts: call.timeouts,
      maxBytes: MAX_CHUNK_BYTES,
      mapError: (status, body) => gttsError(config.name, status, body),
    });
    const body = await res.bytes();
    const type = String(res.headers['content-type'] ?? '');
    if (!type.startsWith('audio/') || body.length === 0) {
      throw new UpstreamError('upstream_error', `provider ${config.name} answered ${type || 'no content type'} instead of audio`, { provider: config.name, upstreamBody: body.toString('utf8', 0, 500) });
    }
    return body;
  }
}

/** Google answers 400 or 404 for a language it does not speak; 429 when it throttles. */
function gttsError(provider: string, status: number, body: string): UpstreamError {
  let code: ErrorCode = 'upstream_error';
  let message = `provider ${provider} failed (${status})`;
  let outStatus: number | undefined;
  if (status === 400 || status === 404) {
    code = 'invalid_request';
    outStatus = 400;
    message = `provider ${provider} refused the text (${status}); check that lang is a language it speaks`;
  } else if (status === 429) {
    code = 'upstream_rate_limited';
    message = `provider ${provider} is throttling requests (429)`;
  } else if (status === 401 || status === 403) {
    code = 'upstream_auth_error';
    message = `provider ${provider} refused the gateway (${status})`;
  }
  return new UpstreamError(code, message, { provider, upstreamStatus: status, upstreamBody: body, status: outStatus, ...(outStatus && { param: 'lang' }) });
}
