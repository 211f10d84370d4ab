import { malformedAnswer } from '../shared/malformed-answer.js';
import type { EmbeddingResult } from '../../core/embeddings.js';
import { encodeChatChunks } from '../../encode/chat-chunks.js';
import { fetchImage } from '../shared/fetch-image.js';
import { postUpstream } from '../shared/post-upstream.js';
import type { ChatCall, ChatResult, ChatStream, EmbedCall, ProviderAdapter, ProviderConfig, Timeouts } from '../types.js';
import { convertGeminiEmbedResponse, convertToGeminiEmbedRequest } from './convert-gemini-embeddings.js';
import { convertGeminiResponse } from './convert-gemini-response.js';
import { convertToGeminiRequest } from './convert-to-gemini-request.js';
import type { BatchEmbedContentsResponse, GenerateContentRequest, GenerateContentResponse } from './gemini-api.js';
import { mapGeminiError } from './gemini-error.js';
import { geminiResponseProblem } from './gemini-response-problem.js';
import { readGeminiStream } from './gemini-stream.js';

/**
 * Google's Gemini API (Generative Language API v1beta): `generateContent`,
 * `streamGenerateContent?alt=sse` and `batchEmbedContents` under `{baseUrl}/v1beta/models/{model}`,
 * authenticated by `x-goog-api-key`. `baseUrl` is the host root, as in Google's SDKs.
 */
export class GeminiAdapter implements ProviderAdapter {
  readonly config: ProviderConfig;
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(config: ProviderConfig) {
    this.config = config;
    this.base = `${(config.baseUrl ?? '').replace(/\/+$/, '')}/v1beta`;
    this.headers = { 'content-type': 'application/json' };
    if (config.apiKey) this.headers['x-goog-api-key'] = config.apiKey;
  }

  async chat(call: ChatCall): Promise<ChatResult> {
    const body = await this.convert(call, false);
    const res = await this.send(call, `${this.modelUrl(call.upstreamModel)}:generateContent`, body);
    const text = await res.text();
    const response = this.parse<GenerateContentResponse>(text, 'an answer');
    const problem = geminiResponseProblem(response);
    if (problem) throw malformedAnswer({ provider: this.config.name, what: `an answer with ${problem}`, body: text });
    return convertGeminiResponse(response, { id: call.id, created: call.created, model: call.publicModel, provider: this.config.name });
  }

  async stream(call: ChatCall): Promise<ChatStream> {
    const body = await this.convert(call, true);
    const res = await this.send(call, `${this.modelUrl(call.upstreamModel)}:streamGenerateContent?alt=sse`, body);
    const type = String(res.headers['content-type'] ?? '');
    if (!type.includes('text/event-stream')) {
      throw malformedAnswer({ provider: this.config.name, what: `content type "${type}" instead of an event stream`, body: await res.text() });
    }
    const parts = readGeminiStream(res.body, { provider: this.config.name, requestId: call.id });
    const includeUsage = call.body.stream_options?.include_usage === true;
    return encodeChatChunks(parts, { id: call.id, created: call.created, model: call.publicModel, includeUsage });
  }

  async embed(call: EmbedCall): Promise<EmbeddingResult> {
    const model = modelName(call.upstreamModel);
    const body = convertToGeminiEmbedRequest(call.body, model, call.warn);
    const res = await this.send(call, `${this.base}/${model}:batchEmbedContents`, body);
    const text = await res.text();
    const result = convertGeminiEmbedResponse(this.parse<BatchEmbedContentsResponse>(text, 'an embeddings answer'), body.requests.length);
    if (!result) throw malformedAnswer({ provider: this.config.name, what: 'an embeddings answer without one vector of numbers per input', body: text });
    return result;
  }

  private convert(call: ChatCall, streaming: boolean): Promise<GenerateContentRequest> {
    return convertToGeminiRequest(call.body, { streaming, model: call.upstreamModel, warn: call.warn, maxAnswerTokens: call.maxAnswerTokens, loadImage: call.loadImage ?? ((url) => fetchImage(url, { signal: call.signal })) });
  }

  private modelUrl(model: string): string {
    return `${this.base}/${modelName(model)}`;
  }

  private send(call: { signal: AbortSignal; timeouts?: Timeouts }, url: string, body: object) {
    const provider = this.config.name;
    // postUpstream scrubs the key from error bodies: Google's debug details can quote the key it refused.
    return postUpstream(this.config, {
      url,
      headers: this.headers,
      body,
      signal: call.signal,
      timeouts: call.timeouts,
      mapError: (status, text, retryAfter) => mapGeminiError({ provider, status, body: text, retryAfter }),
    });
  }


  private parse<T>(text: string, what: string): T {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as T;
    } catch (cause) {
      throw malformedAnswer({ provider: this.config.name, what: `${what} that is not JSON`, body: text, cause });
    }
    throw malformedAnswer({ provider: this.config.name, what: `${what} that is not a JSON object`, body: text });
  }

}

/** A model's resource name: bare ids are `models/<id>`; `tunedModels/...` and `models/...` stay. */
function modelName(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}
