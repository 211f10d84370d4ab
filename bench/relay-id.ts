/**
 * A micro-benchmark of the OpenAI-wire relay alone, no HTTP: a realistic stream (an answer of
 * 1,000 content chunks in reads of 4 events, then the finish and usage chunks) through
 * `relayOpenAIStream`, and the non-streamed answer's parse, rewrite and encode. Prints the time per
 * chunk (SSE encoding to bytes included, as the route writes it) and per answer (median of runs).
 * `node --import tsx bench/relay-id.ts`
 */
import { sseBatch } from '../src/encode/sse.js';
import { relayOpenAIStream } from '../src/providers/openai-compatible/relay-stream.js';

const CHUNKS = 1000;
const PER_READ = 4;
const RUNS = 40;

const chunk = (i: number) =>
  `data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":" word${i}"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`;
const reads: Buffer[] = [];
for (let i = 0; i < CHUNKS; i += PER_READ) reads.push(Buffer.from(Array.from({ length: PER_READ }, (_, j) => chunk(i + j)).join('')));
reads.push(
  Buffer.from(
    'data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}\n\n' +
      'data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1000,"total_tokens":1009}}\n\ndata: [DONE]\n\n',
  ),
);

async function* body(): AsyncGenerator<Uint8Array> {
  for (const read of reads) yield read;
}

async function streamOnce(): Promise<number> {
  const started = process.hrtime.bigint();
  const stream = relayOpenAIStream(body(), { provider: 'openai', publicModel: 'gpt-4o-mini', clientWantsUsage: true, id: 'chatcmpl-0123456789abcdef0123456789abcdef', created: 1 } as Parameters<typeof relayOpenAIStream>[1]);
  let n = 0;
  for await (const batch of stream) {
    n += batch.length;
    Buffer.from(sseBatch(batch)); // what res.write does with it
  }
  if (n !== CHUNKS + 2) throw new Error(`relayed ${n} chunks`);
  return Number(process.hrtime.bigint() - started) / (CHUNKS + 2);
}

const answer = JSON.stringify({
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion',
  created: 1741570283,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'word '.repeat(300), refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 300, total_tokens: 309 },
  service_tier: 'default',
  system_fingerprint: 'fp_06737a9306',
});

/** What the adapter and serve-chat do to a non-streamed answer: parse, rewrite, encode. */
function answerOnce(rewriteId: boolean): number {
  const started = process.hrtime.bigint();
  const loops = 1000;
  for (let i = 0; i < loops; i++) {
    const completion = JSON.parse(answer) as Record<string, unknown>;
    completion.model = 'gpt-4o-mini';
    if (rewriteId) {
      const upstreamId = completion.id;
      completion.id = 'chatcmpl-0123456789abcdef0123456789abcdef';
      if (typeof upstreamId !== 'string') throw new Error('no id');
    }
    JSON.stringify(completion);
  }
  return Number(process.hrtime.bigint() - started) / loops;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Warm-up, so the JIT has compiled the relay before it is timed.
for (let i = 0; i < 20; i++) await streamOnce();
const perChunk: number[] = [];
for (let i = 0; i < RUNS; i++) perChunk.push(await streamOnce());
const plain: number[] = [];
const rewritten: number[] = [];
for (let i = 0; i < RUNS; i++) {
  plain.push(answerOnce(false));
  rewritten.push(answerOnce(true));
}
console.log(`relay: ${median(perChunk).toFixed(0)} ns per chunk (median of ${RUNS} streams of ${CHUNKS + 2} chunks)`);
console.log(`non-streamed answer: ${median(plain).toFixed(0)} ns without the id rewrite, ${median(rewritten).toFixed(0)} ns with it (median of ${RUNS} x 1000)`);
