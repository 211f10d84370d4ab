import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import { FAKE_COHERE_KEY, startFakeCohere } from '../fakes/cohere-upstream.js';
import { FAKE_GEMINI_KEY, startFakeGemini } from '../fakes/gemini-upstream.js';
import { FAKE_KEY, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { fixturePath } from '../support/fixtures.js';

type Body = Record<string, unknown>;

export interface RunningFake {
  /** The provider's base URL as its env var or `base_url` would hold it; absent for in-process providers. */
  baseUrl?: string;
  apiKey?: string;
  /** The provider's `options` in the config file. */
  options?: Record<string, string | number>;
  /** The last request body the upstream received, in the provider's own wire format. */
  lastBody(): Body | undefined;
  close(): Promise<void>;
}

/**
 * Features the fakes cannot answer to (they have no voice and no thoughts), checked instead on
 * the upstream request: how the provider's wire carries each one it declares.
 */
export interface Forwarded {
  files?(body: Body): boolean;
  audioInput?(body: Body): boolean;
  audioOutput?(body: Body): boolean;
  thinking?(body: Body): boolean;
}

/**
 * One row of the capability matrix's test side: how to run a provider type against a fake that
 * speaks its exact wire format. The capabilities themselves are declared by the provider type
 * (`PROVIDER_TYPES.get(type).capabilities`), so code and tests cannot disagree.
 */
export interface ContractProvider {
  type: string;
  start(): Promise<RunningFake>;
  /** A chat model name the fake serves. */
  chatModel: string;
  /** An embedding model name the fake serves, when the provider has embeddings. */
  embeddingModel?: string;
  /**
   * Whether answers follow the fakes' script (test/fakes/fake-behaviour.ts), so exact texts and
   * fault markers can be asserted; false for a real model, whose answers are checked by shape.
   */
  scripted: boolean;
  forwarded: Forwarded;
}

const last = <T extends { body: Body }>(requests: T[]) => () => requests.at(-1)?.body;
const parts = (messages: unknown): Body[] => (Array.isArray(messages) ? messages.flatMap((m: Body) => (Array.isArray(m.content) ? m.content : Array.isArray(m.parts) ? m.parts : [])) : []);

export const CONTRACT_PROVIDERS: ContractProvider[] = [
  {
    type: 'openai-compatible',
    start: async () => {
      const fake = await startFakeOpenAI();
      return { baseUrl: fake.url, apiKey: FAKE_KEY, lastBody: last(fake.requests), close: fake.close };
    },
    chatModel: 'gpt-4o-mini',
    embeddingModel: 'text-embedding-3-small',
    scripted: true,
    // Passed on as sent.
    forwarded: {
      files: (body) => parts(body.messages).some((p) => p.type === 'file'),
      audioInput: (body) => parts(body.messages).some((p) => p.type === 'input_audio'),
      audioOutput: (body) => Array.isArray(body.modalities) && body.modalities.includes('audio') && body.audio !== undefined,
      thinking: (body) => body.reasoning_effort === 'low',
    },
  },
  {
    type: 'anthropic',
    start: async () => {
      const fake = await startFakeAnthropic();
      return { baseUrl: fake.url, apiKey: FAKE_ANTHROPIC_KEY, lastBody: last(fake.requests), close: fake.close };
    },
    chatModel: 'claude-3-5-sonnet-latest',
    scripted: true,
    forwarded: {
      files: (body) => parts(body.messages).some((p) => p.type === 'document' && (p.source as Body | undefined)?.type === 'base64'),
      thinking: (body) => Number((body.thinking as Body | undefined)?.budget_tokens) >= 1024,
    },
  },
  {
    type: 'cohere',
    start: async () => {
      const fake = await startFakeCohere();
      return { baseUrl: fake.url, apiKey: FAKE_COHERE_KEY, lastBody: last(fake.requests), close: fake.close };
    },
    chatModel: 'command-r-plus',
    embeddingModel: 'embed-v4.0',
    scripted: true,
    forwarded: {},
  },
  {
    type: 'gemini',
    start: async () => {
      const fake = await startFakeGemini();
      return { baseUrl: fake.url, apiKey: FAKE_GEMINI_KEY, lastBody: last(fake.requests), close: fake.close };
    },
    chatModel: 'gemini-2.0-flash',
    embeddingModel: 'text-embedding-004',
    scripted: true,
    forwarded: {
      files: (body) => parts(body.contents).some((p) => (p.inlineData as Body | undefined)?.mimeType === 'application/pdf'),
      audioInput: (body) => parts(body.contents).some((p) => String((p.inlineData as Body | undefined)?.mimeType).startsWith('audio/')),
      thinking: (body) => Number(((body.generationConfig as Body | undefined)?.thinkingConfig as Body | undefined)?.thinkingBudget) > 0,
    },
  },
  {
    type: 'local',
    // In-process llama.cpp with the tiny test model; one thread, as every test context.
    start: async () => ({ options: { threads: 1 }, lastBody: () => undefined, close: async () => undefined }),
    chatModel: fixturePath('models/stories260K.gguf'),
    scripted: false,
    forwarded: {},
  },
];
