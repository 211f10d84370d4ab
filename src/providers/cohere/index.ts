import { malformedAnswer } from '../shared/malformed-answer.js';
import type { EmbeddingResult } from '../../core/embeddings.js';
import { collectChatCompletion, encodeChatChunks } from '../../encode/chat-chunks.js';
import { areNumericVectors } from '../shared/numeric-vectors.js';
import { oneBatch } from '../shared/one-batch.js';
import { postUpstream } from '../shared/post-upstream.js';
import type { ChatCall, ChatResult, ChatStream, EmbedCall, ProviderAdapter, ProviderConfig, Timeouts } from '../types.js';
import type { CohereChatResponse, CohereEmbedRequest, CohereEmbedResponse } from './cohere-api.js';
import { mapCohereError } from './cohere-error.js';
import { cohereAnswerProblem } from './cohere-answer-problem.js';
import { readCohereStream } from './cohere-stream.js';
import { convertCohereResponse } from './convert-cohere-response.js';
import { convertToCohereEmbedRequests } from './convert-to-cohere-embed-requests.js';
import { convertToCohereRequest } from './convert-to-cohere-request.js';

/** Cohere's v2 API: chat (`/v2/chat`, JSON or server-sent events) and embeddings (`/v2/embed`). */
export class CohereAdapter implements ProviderAdapter {
  readonly config: ProviderConfig;
  private readonly chatUrl: string;
  private readonly embedUrl: string;
  private readonly headers: Record<string, string>;

  constructor(config: ProviderConfig) {
    this.config = config;
    const base = (config.baseUrl ?? '').replace(/\/+$/, '');
    this.chatUrl = `${base}/v2/chat`;
    this.embedUrl = `${base}/v2/embed`;
    this.headers = { 'content-type': 'application/json', 'x-client-name': 'opensq' };
    if (config.apiKey) this.headers.authorization = `Bearer ${config.apiKey}`;
  }

  async chat(call: ChatCall): Promise<ChatResult> {
    const body = convertToCohereRequest(call.body, { upstreamModel: call.upstreamModel, stream: false, warn: call.warn, maxAnswerTokens: call.maxAnswerTokens });
    const res = await this.send(call, this.chatUrl, body, 'application/json');
    const answer = this.parse<CohereChatResponse>(await res.text(), 'a chat answer');
    const problem = cohereAnswerProblem(answer);
    if (problem) throw malformedAnswer({ provider: this.config.name, what: problem, body: JSON.stringify(answer) });
    return collectChatCompletion(oneBatch(convertCohereResponse(answer, body.stop_sequences)), { id: call.id, created: call.created, model: call.publicModel });
  }

  async stream(call: ChatCall): Promise<ChatStream> {
    const body = convertToCohereRequest(call.body, { upstreamModel: call.upstreamModel, stream: true, warn: call.warn, maxAnswerTokens: call.maxAnswerTokens });
    const res = await this.send(call, this.chatUrl, body, 'text/event-stream');
    const type = String(res.headers['content-type'] ?? '');
    if (!type.includes('text/event-stream')) {
      throw malformedAnswer({ provider: this.config.name, what: `content type "${type}" instead of an event stream`, body: await res.text() });
    }
    const includeUsage = call.body.stream_options?.include_usage === true;
    return encodeChatChunks(readCohereStream(res.body, { provider: this.config.name, stopSequences: body.stop_sequences }), { id: call.id, created: call.created, model: call.publicModel, includeUsage });
  }

  async embed(call: EmbedCall): Promise<EmbeddingResult> {
    const batches = await Promise.all(convertToCohereEmbedRequests(call.body, call.upstreamModel).map((body) => this.embedBatch(call, body)));
    const prompt = batches.reduce((sum, batch) => sum + batch.tokens, 0);
    return { vectors: batches.flatMap((batch) => batch.vectors), usage: { prompt_tokens: prompt, total_tokens: prompt } };
  }

  private async embedBatch(call: EmbedCall, body: CohereEmbedRequest): Promise<{ vectors: number[][]; tokens: number }> {
    const res = await this.send(call, this.embedUrl, body, 'application/json');
    const answer = this.parse<CohereEmbedResponse>(await res.text(), 'an embeddings answer');
    const vectors = answer?.embeddings?.float;
    if (!areNumericVectors(vectors) || vectors.length !== body.texts.length) {
      throw malformedAnswer({ provider: this.config.name, what: `an embeddings answer without ${body.texts.length} vectors of numbers`, body: JSON.stringify(answer) });
    }
    return { vectors, tokens: answer.meta?.billed_units?.input_tokens ?? 0 };
  }

  private send(call: { signal: AbortSignal; timeouts?: Timeouts }, url: string, body: object, accept: string) {
    const provider = this.config.name;
    return postUpstream(this.config, {
      url,
      headers: { ...this.headers, accept },
      body,
      signal: call.signal,
      timeouts: call.timeouts,
      mapError: (status, text, retryAfter) => mapCohereError({ provider, status, body: text, retryAfter }),
    });
  }

  private parse<T>(text: string, what: string): T {
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw malformedAnswer({ provider: this.config.name, what: `${what} that is not JSON`, body: text, cause });
    }
  }

}

