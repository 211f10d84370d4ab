import { FAKE_ANTHROPIC_KEY, type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import { FAKE_COHERE_KEY, type FakeCohere, startFakeCohere } from '../fakes/cohere-upstream.js';
import { FAKE_GEMINI_KEY, type FakeGemini, startFakeGemini } from '../fakes/gemini-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { fixturePath } from './fixtures.js';
import { modelLines } from './gateway-config.js';
import { type ServerProcess, startServer } from './server-process.js';

/** One model on each wire format: public id → `provider/upstream model`. */
export const ONE_MODEL_A_PROVIDER = {
  't-openai': 'openai/gpt-4o-mini',
  't-anthropic': 'anthropic/claude-3-5-sonnet-latest',
  't-gemini': 'gemini/gemini-2.5-flash',
  't-cohere': 'cohere/command-r-plus',
} as const;

/** A gateway in its own process in front of four fakes, one per wire format: OpenAI, Anthropic, Gemini, Cohere. */
export interface FourProviderGateway {
  openai: FakeOpenAI;
  anthropic: FakeAnthropic;
  gemini: FakeGemini;
  cohere: FakeCohere;
  server: ServerProcess;
  /** Stops the gateway, then the fakes. */
  stop(): Promise<void>;
}

export interface FourProviderOptions {
  /** Public model id → `provider/upstream model`, each a free model with that one deployment. */
  models: Readonly<Record<string, string>>;
  /** Serve the local GGUF model (`stories260K`) too, on one thread. */
  local?: boolean;
  /** More gateway environment, over the fakes' keys and addresses. */
  env?: Record<string, string>;
}

/**
 * Starts the four fakes and a gateway whose presets point at them. The `openai` preset at a fake is
 * not OpenAI's own address, so it is sent chat completions (the translated Responses path), not
 * Responses requests.
 */
export async function startFourProviderGateway(options: FourProviderOptions): Promise<FourProviderGateway> {
  const [openai, anthropic, gemini, cohere] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini(), startFakeCohere()]);
  const closeFakes = () => Promise.all([openai.close(), anthropic.close(), gemini.close(), cohere.close()]);
  let server: ServerProcess;
  try {
    server = await startServer({
      env: {
        OPENAI_API_KEY: FAKE_KEY,
        OPENAI_BASE_URL: openai.url,
        ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
        ANTHROPIC_BASE_URL: anthropic.url,
        GEMINI_API_KEY: FAKE_GEMINI_KEY,
        GEMINI_BASE_URL: gemini.url,
        COHERE_API_KEY: FAKE_COHERE_KEY,
        COHERE_BASE_URL: cohere.url,
        ...(options.local && { OPENSQ_LOCAL_MODEL: fixturePath('models/stories260K.gguf'), OPENSQ_LOCAL_THREADS: '1' }),
        ...options.env,
      },
      config: `${['models:', ...modelLines(options.models)].join('\n')}\n`,
    });
  } catch (e) {
    await closeFakes();
    throw e;
  }
  return {
    openai,
    anthropic,
    gemini,
    cohere,
    server,
    async stop() {
      await server.stop();
      await closeFakes();
    },
  };
}
