import { useRef, useState } from 'preact/hooks';
import { CopyButton } from '../copy-button.js';
import { curlCommand } from './curl-command.js';

/** Where a raw request can go: the JSON endpoints a playground user would try by hand. */
export const RAW_PATHS = ['/v1/chat/completions', '/v1/responses', '/v1/completions', '/ai/v2', '/v1/embeddings'] as const;

/** The path a logged endpoint's body was sent to. */
export function rawPathOf(endpoint: string | undefined): string {
  if (endpoint === 'v2') return '/ai/v2';
  if (endpoint === 'embeddings') return '/v1/embeddings';
  if (endpoint === 'responses') return '/v1/responses';
  if (endpoint === 'completions') return '/v1/completions';
  return '/v1/chat/completions';
}

interface Outcome {
  status?: number;
  firstByteMs?: number;
  totalMs?: number;
  text: string;
  error?: string;
}

/** A finished JSON answer pretty-printed; a stream (or anything else) exactly as it arrived. */
function shown(text: string, contentType: string | null): string {
  if (!contentType?.includes('application/json')) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * The raw-JSON mode: the request body as JSON, editable, sent as it stands to the chosen path with
 * the playground's key; the answer is shown as it arrives (SSE lines of a stream included), with its
 * status and timings. `body` fills the editor when it opens (the form's next request, or a replayed
 * request exactly as its client sent it); "From the form" fills it again.
 */
export function RawRequest({ apiKey, body, path: initialPath, formBody, label }: { apiKey: string; body: unknown; path: string; formBody: () => unknown; label: string }) {
  const [text, setText] = useState(() => JSON.stringify(body, null, 2));
  const [path, setPath] = useState(initialPath);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);

  let parsed: unknown;
  let invalid = '';
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    invalid = `Not valid JSON: ${(error as Error).message}`;
  }

  async function send(event: Event): Promise<void> {
    event.preventDefault();
    if (invalid || busy) return;
    const controller = new AbortController();
    abort.current = controller;
    setBusy(true);
    const started = performance.now();
    const result: Outcome = { text: '' };
    setOutcome({ ...result });
    try {
      const res = await fetch(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: text,
        signal: controller.signal,
      });
      result.status = res.status;
      const reader = res.body?.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) break;
        result.firstByteMs ??= performance.now() - started;
        result.text += decoder.decode(chunk.value, { stream: true });
        setOutcome({ ...result });
      }
      result.text = shown(result.text + decoder.decode(), res.headers.get('content-type'));
    } catch (error) {
      result.error = controller.signal.aborted ? 'Stopped.' : (error as Error).message;
    }
    result.totalMs = performance.now() - started;
    setOutcome({ ...result });
    setBusy(false);
  }

  return (
    <section class="card raw-request" aria-label={label}>
      <form onSubmit={(e) => void send(e)}>
        <div class="pane-head">
          <select aria-label="Path" value={path} onChange={(e) => setPath(e.currentTarget.value)}>
            {[...new Set([...RAW_PATHS, path])].map((p) => <option key={p} value={p}>POST {p}</option>)}
          </select>
          <button type="button" onClick={() => setText(JSON.stringify(formBody(), null, 2))}>From the form</button>
        </div>
        <label>
          Request JSON
          <textarea name="raw-body" class="code" rows={12} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        {invalid && <p class="error">{invalid}</p>}
        <div class="actions">
          <button class="primary" type="submit" disabled={busy || Boolean(invalid)}>Send JSON</button>
          {busy && <button type="button" onClick={() => abort.current?.abort()}>Stop</button>}
          {!invalid && <CopyButton text={curlCommand(window.location.origin, apiKey, parsed as Record<string, unknown>, path)} label="Copy as curl" />}
        </div>
      </form>
      {outcome && (
        <div class="raw-answer">
          <p class="muted small" data-testid="raw-status">
            {outcome.status === undefined ? 'sending…' : `HTTP ${outcome.status}`}
            {outcome.firstByteMs !== undefined && ` · first byte ${Math.round(outcome.firstByteMs)} ms`}
            {outcome.totalMs !== undefined && ` · ${Math.round(outcome.totalMs)} ms in all`}
          </p>
          {outcome.error && <p class="error" role="alert">{outcome.error}</p>}
          <pre class="code raw" data-testid="raw-answer">{outcome.text}</pre>
        </div>
      )}
    </section>
  );
}
