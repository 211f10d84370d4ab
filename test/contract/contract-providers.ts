import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import { FAKE_COHERE_KEY, startFakeCohere } from '../fakes/cohere-upstream.js';
import { FAKE_GEMINI_KEY, startFakeGemini } from '../fakes/gemini-upstream.js';
import { FAKE_KEY, startFakeOpenAI } from '../fakes/openai-upstream.js';

export interface RunningFake {
  /** The provider's base URL as its env var or `base_url` would hold it. */
  baseUrl: string;
  apiKey: string;
  close(): Promise<void>;
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
}

export const CONTRACT_PROVIDERS: ContractProvider[] = [
  {
    type: 'openai-compatible',
    start: async () => {
      const fake = await startFakeOpenAI();
      return { baseUrl: fake.url, apiKey: FAKE_KEY, close: fake.close };
    },
    chatModel: 'gpt-4o-mini',
    embeddingModel: 'text-embedding-3-small',
  },
  {
    type: 'anthropic',
    start: async () => {
      const fake = await startFakeAnthropic();
      return { baseUrl: fake.url, apiKey: FAKE_ANTHROPIC_KEY, close: fake.close };
    },
    chatModel: 'claude-3-5-sonnet-latest',
  },
  {
    type: 'cohere',
    start: async () => {
      const fake = await startFakeCohere();
      return { baseUrl: fake.url, apiKey: FAKE_COHERE_KEY, close: fake.close };
    },
    chatModel: 'command-r-plus',
    embeddingModel: 'embed-v4.0',
  },
  {
    type: 'gemini',
    start: async () => {
      const fake = await startFakeGemini();
      return { baseUrl: fake.url, apiKey: FAKE_GEMINI_KEY, close: fake.close };
    },
    chatModel: 'gemini-2.0-flash',
    embeddingModel: 'text-embedding-004',
  },
];
