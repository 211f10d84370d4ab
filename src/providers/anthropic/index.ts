import { ANTHROPIC_MESSAGES } from '../../core/anthropic-messages.js';
import { collectChatCompletion, encodeChatChunks } from '../../encode/chat-chunks.js';
import { fetchImage } from '../shared/fetch-image.js';
import { postUpstream } from '../shared/post-upstream.js';
import { malformedAnswer } from '../shared/malformed-answer.js';
import { oneBatch } from '../shared/one-batch.js';
import type { ChatCall, ChatResult, ChatStream, ProviderAdapter, ProviderConfig } from '../types.js';
import { ANTHROPIC_VERSION, type AnthropicMessage, type AnthropicRequest } from './anthropic-api.js';
import { mapAnthropicError } from './anthropic-error.js';
import { passthroughRequest } from './anthropic-passthrough.js';
import { readAnthropicStream } from './anthropic-stream.js';
import { convertAnthropicMessage } from './convert-anthropic-message.js';
import { type AnthropicRequestPlan, convertToAnthropicRequest } from './convert-to-anthropic-request.js';

/** Claude through the Messages API, translated both ways between OpenAI's chat format and Anthropic's. */
export class AnthropicAdapter implements ProviderAdapter {
  readonly config: ProviderConfig;
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(config: ProviderConfig) {
    this.config = config;
    this.url = `${(config.baseUrl ?? '').replace(/\/+$/, '')}/v1/messages`;
    this.headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'anthropic-version': ANTHROPIC_VERSION };
    if (config.apiKey) this.headers['x-api-key'] = config.apiKey;
  }

  async chat(call: ChatCall): Promise<ChatResult> {
    const plan = await this.plan(call, false);
    const res = await this.send(call, plan.body, plan.beta);
    const text = await res.text();
    let message: AnthropicMessage;
    try {
      message = JSON.parse(text) as AnthropicMessage;
    } catch (cause) {
      throw malformedAnswer({ provider: this.config.name, what: 'an answer that is not JSON', body: text, cause });
    }
    if (!message || !Array.isArray(message.content)) throw malformedAnswer({ provider: this.config.name, what: 'an answer without content', body: text });
    const parts = convertAnthropicMessage(message, { jsonResponse: plan.jsonResponse });
    return collectChatCompletion(oneBatch(parts), { id: call.id, created: call.created, model: call.publicModel });
  }

  async stream(call: ChatCall): Promise<ChatStream> {
    const plan = await this.plan(call, true);
    const res = await this.send(call, plan.body, plan.beta);
    const type = String(res.headers['content-type'] ?? '');
    if (!type.includes('text/event-stream')) {
      const text = await res.text();
      throw malformedAnswer({ provider: this.config.name, what: `content type "${type}" instead of an event stream`, body: text });
    }
    const parts = readAnthropicStream(res.body, { provider: this.config.name, jsonResponse: plan.jsonResponse });
    const includeUsage = call.body.stream_options?.include_usage === true;
    return encodeChatChunks(parts, { id: call.id, created: call.created, model: call.publicModel, includeUsage });
  }

  /**
   * Anthropic's own count of a Messages API request's prompt (`POST /v1/messages/count_tokens`):
   * the client's body with the deployment's model, without the answer limit.
   */
  async countTokens(call: ChatCall): Promise<number> {
    const origin = call.body[ANTHROPIC_MESSAGES];
    if (!origin) throw new Error('countTokens needs a Messages API request');
    // Anthropic counts the client's thinking and the signed thinking blocks it keeps, so both go as a message would send them.
    const passed = passthroughRequest(origin, { model: call.upstreamModel, stream: false, thinking: origin.thinking });
    const { max_tokens: _limit, ...body } = passed.body;
    const res = await postUpstream(this.config, {
      url: `${this.url}/count_tokens`,
      headers: passed.beta === undefined ? this.headers : { ...this.headers, 'anthropic-beta': passed.beta },
      body,
      signal: call.signal,
      timeouts: call.timeouts,
      mapError: (status, text, retryAfter) => mapAnthropicError({ provider: this.config.name, status, body: text, retryAfter }),
    });
    const text = await res.text();
    let count: unknown;
    try {
      count = (JSON.parse(text) as { input_tokens?: unknown }).input_tokens;
    } catch (cause) {
      throw malformedAnswer({ provider: this.config.name, what: 'an answer that is not JSON', body: text, cause });
    }
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw malformedAnswer({ provider: this.config.name, what: 'a count without input_tokens', body: text });
    return count;
  }

  private async plan(call: ChatCall, stream: boolean): Promise<AnthropicRequestPlan & { beta?: string }> {
    // A Messages API client's own request is sent as it came, not translated twice.
    const origin = call.body[ANTHROPIC_MESSAGES];
    if (origin) {
      // The route asks for reasoning only when the model serves it (routes/anthropic/messages.ts).
      const thinking = origin.thinking && call.body.reasoning_effort != null;
      const passed = passthroughRequest(origin, { model: call.upstreamModel, stream, maxAnswerTokens: call.maxAnswerTokens, thinking });
      for (const warning of passed.warnings) call.warn(warning.code, warning.message);
      return { body: passed.body, jsonResponse: false, warnings: [], beta: passed.beta };
    }
    const plan = await convertToAnthropicRequest(call.body, {
      model: call.upstreamModel,
      stream,
      maxAnswerTokens: call.maxAnswerTokens,
      loadImage: call.loadImage ?? ((url) => fetchImage(url, { signal: call.signal })),
    });
    for (const warning of plan.warnings) call.warn(warning.code, warning.message);
    return plan;
  }

  private send(call: ChatCall, body: AnthropicRequest, beta: string | undefined) {
    const provider = this.config.name;
    return postUpstream(this.config, {
      url: this.url,
      headers: beta === undefined ? this.headers : { ...this.headers, 'anthropic-beta': beta },
      body,
      signal: call.signal,
      timeouts: call.timeouts,
      mapError: (status, text, retryAfter) => mapAnthropicError({ provider, status, body: text, retryAfter }),
    });
  }


}

