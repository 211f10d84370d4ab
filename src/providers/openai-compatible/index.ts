import { malformedAnswer } from '../shared/malformed-answer.js';
import type { ChatCompletion } from '../../core/chat.js';
import type { EmbeddingResult } from '../../core/embeddings.js';
import { areNumericVectors } from '../shared/numeric-vectors.js';
import type { ImageCall, ImageResult } from '../../core/images.js';
import type { SpeechCall, SpeechResult } from '../../core/speech.js';
import type { ChatCall, ChatResult, ChatStream, EmbedCall, ProviderAdapter, ProviderConfig, Timeouts } from '../types.js';
import { legacyCompletion } from '../../core/legacy-completion.js';
import { capAnswerTokens } from './cap-answer-tokens.js';
import { chatResultOfTextCompletion, legacyUpstreamBody, textChunksAsChat } from './legacy-completions.js';
import { boundFinishReasons, hasUnboundedFinishReason } from './bound-finish-reasons.js';
import { mapOpenAIError } from './map-openai-error.js';
import { isPlainCreated } from './plain-created.js';
import { generateOpenAICompatibleImages } from './openai-images.js';
import { speakOpenAI } from './openai-speech.js';
import { postUpstream } from '../shared/post-upstream.js';
import { relayOpenAIStream } from './relay-stream.js';
import { type SplicedCompletion, spliceCompletion } from './splice-completion.js';
import { RESPONSES_ORIGIN, type ResponsesOrigin, type WithResponsesOrigin } from '../../core/responses-origin.js';
import { passthroughResponsesRequest, responsesAnswer, speaksResponses } from './responses-passthrough.js';
import { relayResponsesStream } from './relay-responses-stream.js';

/** OpenAI answers up to 2,048 inputs of 3,072 floats as JSON text: about 90 MB. */
const EMBEDDINGS_MAX_BYTES = 256 * 1024 * 1024;

/**
 * The OpenAI-compatible family (OpenAI itself, DeepSeek, Groq, Together, Mistral, xAI, ...):
 * one adapter parameterised by base URL and key. Requests are relayed with every parameter the
 * client sent; only the model name is rewritten, both ways, and the answer's id is the request's.
 */
export class OpenAICompatibleAdapter implements ProviderAdapter {
  readonly config: ProviderConfig;
  private readonly chatUrl: string;
  private readonly embeddingsUrl: string;
  private readonly completionsUrl: string;
  /** Set when the provider takes Responses API requests as they are (responses-passthrough.ts). */
  private readonly responsesUrl: string | undefined;
  private readonly headers: Record<string, string>;

  constructor(config: ProviderConfig) {
    this.config = config;
    const base = (config.baseUrl ?? '').replace(/\/+$/, '');
    this.chatUrl = `${base}/chat/completions`;
    this.embeddingsUrl = `${base}/embeddings`;
    this.completionsUrl = `${base}/completions`;
    this.responsesUrl = speaksResponses(config) ? `${base}/responses` : undefined;
    this.headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    if (config.apiKey) this.headers.authorization = `Bearer ${config.apiKey}`;
  }

  async chat(call: ChatCall): Promise<ChatResult> {
    const responses = this.responsesRequest(call, false);
    if (responses) return responsesAnswer({ text: await (await this.send(call, responses.body, this.responsesUrl)).text(), call, origin: responses.origin, provider: this.config.name });
    const legacy = legacyCompletion(call.body);
    if (legacy) {
      const res = await this.send(call, legacyUpstreamBody(legacy, call, false), this.completionsUrl);
      return chatResultOfTextCompletion(await res.text(), call, this.config.name);
    }
    const res = await this.send(call, { ...capAnswerTokens(call.body, call.maxAnswerTokens, this.config.type), model: call.upstreamModel, stream: false, stream_options: undefined });
    const text = await res.text();
    const spliced = spliceCompletion(text, call.id, call.publicModel);
    // A finish reason that is no short plain word takes the parsing path, which bounds it.
    if (spliced && !hasUnboundedFinishReason(spliced.json)) return relayedCompletion(spliced);
    let completion: ChatCompletion;
    try {
      completion = JSON.parse(text) as ChatCompletion;
    } catch (cause) {
      throw malformedAnswer({ provider: this.config.name, what: 'an answer that is not JSON', body: text, cause });
    }
    if (!completion || !Array.isArray(completion.choices)) throw malformedAnswer({ provider: this.config.name, what: 'an answer without choices', body: text });
    completion.model = call.publicModel;
    boundFinishReasons(completion.choices);
    if (!isPlainCreated(completion.created)) completion.created = call.created;
    const upstreamId = typeof completion.id === 'string' ? completion.id : undefined;
    completion.id = call.id;
    return { completion, usage: completion.usage ?? undefined, upstreamId };
  }

  async stream(call: ChatCall): Promise<ChatStream> {
    const responses = this.responsesRequest(call, true);
    if (responses) {
      const res = await this.send(call, responses.body, this.responsesUrl);
      await this.expectEventStream(res);
      return relayResponsesStream({ body: res.body, call, origin: responses.origin, provider: this.config.name });
    }
    const clientWantsUsage = call.body.stream_options?.include_usage === true;
    const legacy = legacyCompletion(call.body);
    const body = legacy ? legacyUpstreamBody(legacy, call, true) : {
      ...capAnswerTokens(call.body, call.maxAnswerTokens, this.config.type),
      model: call.upstreamModel,
      stream: true,
      stream_options: { ...(call.body.stream_options ?? {}), include_usage: true },
    };
    const res = await this.send(call, body, legacy ? this.completionsUrl : this.chatUrl);
    await this.expectEventStream(res);
    const relayed = relayOpenAIStream(res.body, { provider: this.config.name, publicModel: call.publicModel, id: call.id, created: call.created, clientWantsUsage });
    return legacy ? textChunksAsChat(relayed, call) : relayed;
  }

  async embed(call: EmbedCall): Promise<EmbeddingResult> {
    const res = await this.send(call, { ...call.body, model: call.upstreamModel, encoding_format: call.body.encoding_format ?? 'float' }, this.embeddingsUrl, EMBEDDINGS_MAX_BYTES);
    const text = await res.text();
    let parsed: { data?: Array<{ index?: number; embedding?: number[] | string }>; usage?: { prompt_tokens?: number; total_tokens?: number } };
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw malformedAnswer({ provider: this.config.name, what: 'an embeddings answer that is not JSON', body: text, cause });
    }
    if (!Array.isArray(parsed.data) || !parsed.data.every((d) => typeof d === 'object' && d !== null)) {
      throw malformedAnswer({ provider: this.config.name, what: 'an embeddings answer without a list of embedding objects', body: text });
    }
    const vectors = [...parsed.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map((d) => d.embedding ?? []);
    // Base64 vectors are strings (the client asked for them); floats must be numbers, or the client gets nulls and strings.
    const base64 = call.body.encoding_format === 'base64' && vectors.every((v) => typeof v === 'string');
    if (!base64 && !areNumericVectors(vectors)) throw malformedAnswer({ provider: this.config.name, what: 'an embeddings answer whose vectors are not lists of numbers', body: text });
    const prompt = parsed.usage?.prompt_tokens ?? 0;
    return { vectors, usage: { prompt_tokens: prompt, total_tokens: parsed.usage?.total_tokens ?? prompt } };
  }

  generateImage(call: ImageCall): Promise<ImageResult> {
    return generateOpenAICompatibleImages(this.config, call);
  }

  speak(call: SpeechCall): Promise<SpeechResult> {
    return speakOpenAI(this.config, call);
  }

  /** A Responses API client's own request, when this provider takes it as it is. */
  private responsesRequest(call: ChatCall, stream: boolean): { body: Record<string, unknown>; origin: ResponsesOrigin } | undefined {
    const origin = (call.body as WithResponsesOrigin)[RESPONSES_ORIGIN];
    if (!origin || !this.responsesUrl) return undefined;
    const plan = passthroughResponsesRequest(origin, { model: call.upstreamModel, stream, maxAnswerTokens: call.maxAnswerTokens, maxToolCalls: call.maxToolCalls });
    for (const warning of plan.warnings) call.warn(warning.code, warning.message);
    return { body: plan.body, origin };
  }

  private async expectEventStream(res: { headers: Record<string, unknown>; text(): Promise<string> }): Promise<void> {
    const type = String(res.headers['content-type'] ?? '');
    if (!type.includes('text/event-stream')) throw malformedAnswer({ provider: this.config.name, what: `content type "${type}" instead of an event stream`, body: await res.text() });
  }

  private send(call: { signal: AbortSignal; timeouts?: Timeouts }, body: Record<string, unknown>, url = this.chatUrl, maxBytes?: number) {
    return postUpstream(this.config, { url, headers: this.headers, body, signal: call.signal, timeouts: call.timeouts, maxBytes, mapError: this.mapError });
  }

  private readonly mapError = (status: number, text: string, retryAfter: string | undefined) => mapOpenAIError({ provider: this.config.name, status, body: text, retryAfter });

}

/** The answer as the upstream wrote it (id and model ours); its object is parsed only when read. */
function relayedCompletion(spliced: SplicedCompletion): ChatResult {
  let completion: ChatCompletion | undefined;
  return {
    json: spliced.json,
    usage: spliced.usage ?? undefined,
    upstreamId: spliced.upstreamId,
    get completion(): ChatCompletion {
      return (completion ??= JSON.parse(spliced.json) as ChatCompletion);
    },
  };
}
