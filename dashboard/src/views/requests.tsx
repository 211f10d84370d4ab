import { useState } from 'preact/hooks';
import { adminGet } from '../api.js';
import { Drawer } from '../drawer.js';
import { credits, dateTime, ms, num } from '../format.js';
import { OMITTED, replay, replayTarget } from '../replay.js';
import { location, setQuery } from '../router.js';
import type { Attempt, RequestDetail, RequestLogPage, UsageRow } from '../types.js';
import { type Loaded, useLoad } from '../use-load.js';

/** Endpoint names the ledger records. */
export const ENDPOINTS = ['chat.completions', 'responses', 'completions', 'v2', 'embeddings', 'imagen', 'images', 'tts', 'speech', 'cloud.upload', 'cloud.download', 'cloud.delete'];

const FILTERS = ['key_id', 'model', 'provider', 'status', 'endpoint', 'q', 'from', 'to'] as const;

/** "N attempts → provider X" and each attempt's latency and error, read from the request's detail. */
function Attempts({ row, detail: { data, error } }: { row: UsageRow; detail: Loaded<RequestDetail> }) {
  const attempts: Attempt[] | null = data ? (data.attempts ?? (row.provider ? [{ provider: row.provider, model: row.deployment ?? row.model, ms: row.latency_ms }] : [])) : null;
  const last = attempts?.at(-1);
  const answered = row.status === 'ok' && last && !last.error;
  return (
    <section class="attempts" aria-label="Upstream attempts">
      <h3>Upstream attempts</h3>
      {error && <p class="error">{error}</p>}
      {attempts && (
        <>
          <p class="attempts-summary">
            {attempts.length === 0 ? 'No upstream was tried.' : `${attempts.length} attempt${attempts.length === 1 ? '' : 's'} → ${answered ? `provider ${last.provider}` : 'no answer'}`}
          </p>
          <ol class="attempt-list">
            {attempts.map((a, i) => (
              <li key={i} class={a.error ? 'failed' : 'ok'}>
                <span class="mono">{a.provider}/{a.model}</span> · {ms(a.ms)}
                {a.panic && <span class="badge"> every deployment was cooling down</span>}
                {a.error ? <span class="error"> · {a.error.status} {a.error.code}: {a.error.message}</span> : <span class="badge ok">ok</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** The body the client sent, and a button that opens it in the playground (or says why it cannot). */
function Replay({ row, detail }: { row: UsageRow; detail?: RequestDetail }) {
  if (!detail || !replayTarget(row.endpoint)) return null;
  const reason = detail.request_body_omitted ? OMITTED[detail.request_body_omitted] : null;
  return (
    <section class="replay" aria-label="Request body">
      <h3>Request body</h3>
      <div class="actions">
        <button class="primary" disabled={reason !== null} aria-describedby={reason ? 'replay-reason' : undefined} onClick={() => replay(detail)}>
          Replay in playground
        </button>
      </div>
      {reason ? (
        <p class="muted small" id="replay-reason">{reason}</p>
      ) : (
        <details>
          <summary>JSON as sent</summary>
          <pre class="code raw">{JSON.stringify(detail.request_body, null, 2)}</pre>
        </details>
      )}
    </section>
  );
}

function Detail({ row, onClose }: { row: UsageRow; onClose: () => void }) {
  // One request when the drawer opens: attempts and the body; Replay hands the body on.
  const detail = useLoad(() => adminGet<RequestDetail>(`/requests/${row.id}`), [row.id]);
  const tokensPerSecond = row.completion_tokens && row.ttft_ms !== null && row.latency_ms > row.ttft_ms ? (1000 * row.completion_tokens) / (row.latency_ms - row.ttft_ms) : null;
  return (
    <Drawer label={`Request ${row.request_id}`} onClose={onClose}>
      <header class="view-head">
        <h2>Request</h2>
        <button onClick={onClose} aria-label="Close">✕</button>
      </header>
      <dl class="details">
        <dt>Request id</dt><dd class="mono">{row.request_id}</dd>
        <dt>Time</dt><dd>{dateTime(row.created_at)}</dd>
        <dt>Status</dt><dd><span class={`badge ${row.status}`}>{row.status}</span> {row.http_status} {row.error_code ?? ''}</dd>
        <dt>Endpoint</dt><dd>{row.endpoint}{row.stream ? ' (stream)' : ''}</dd>
        <dt>Model</dt><dd>{row.model}</dd>
        <dt>Served by</dt><dd>{row.deployment ? `${row.provider} · ${row.deployment}` : (row.provider ?? '—')}</dd>
        <dt>Key</dt><dd class="mono">{row.key_id} (user {row.user})</dd>
        <dt>Tokens</dt><dd>{num(row.prompt_tokens)} in ({num(row.cached_tokens)} cached, {num(row.cache_write_tokens)} written to cache) · {num(row.completion_tokens)} out</dd>
        {row.builtin_tool_calls > 0 && (
          <>
            <dt>Built-in tool calls</dt><dd>{num(row.builtin_tool_calls)} (billed per call, in the cost)</dd>
          </>
        )}
        <dt>Cost</dt><dd>{credits(row.cost)} credits</dd>
        <dt>Latency</dt><dd>{ms(row.latency_ms)} total · {ms(row.ttft_ms)} to first token{tokensPerSecond ? ` · ${tokensPerSecond.toFixed(1)} tokens/s` : ''}</dd>
      </dl>
      <Attempts row={row} detail={detail} />
      <Replay row={row} detail={detail.data} />
    </Drawer>
  );
}

/**
 * The `before` of each page left by "Older", so "Newer" can step back through keyset pages; empty
 * after a reload, when "Newer" goes to the newest page.
 */
const newerPages: string[] = [];

export function Requests() {
  const query = location.value.query;
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const before = query.get('before') ?? '';
  const [text, setText] = useState(filters.q);
  const [selected, setSelected] = useState<UsageRow | null>(null);
  const { data, error } = useLoad(() => adminGet<RequestLogPage>('/requests', { ...filters, before, limit: 50 }), [query.toString()]);
  const set = (change: Partial<typeof filters>) => {
    newerPages.length = 0;
    setQuery({ ...filters, ...change });
  };
  return (
    <>
      <header class="view-head">
        <h1>Request log</h1>
      </header>
      <form class="filters" role="search" onSubmit={(e) => (e.preventDefault(), set({ q: text }))}>
        <input type="search" placeholder="Request id, model, error…" aria-label="Search requests" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <input placeholder="Model" aria-label="Model" value={filters.model} onChange={(e) => set({ model: e.currentTarget.value })} />
        <input placeholder="Provider" aria-label="Provider" value={filters.provider} onChange={(e) => set({ provider: e.currentTarget.value })} />
        <input placeholder="Key id" aria-label="Key id" value={filters.key_id} onChange={(e) => set({ key_id: e.currentTarget.value })} />
        <select aria-label="Status" value={filters.status} onChange={(e) => set({ status: e.currentTarget.value })}>
          <option value="">Any status</option>
          <option value="ok">ok</option>
          <option value="error">error</option>
          <option value="cancelled">cancelled</option>
        </select>
        <select aria-label="Endpoint" value={filters.endpoint} onChange={(e) => set({ endpoint: e.currentTarget.value })}>
          <option value="">Any endpoint</option>
          {ENDPOINTS.map((e) => (
            <option key={e} value={e}>{e}</option>
          ))}
        </select>
        <button type="submit">Filter</button>
      </form>
      {error && <p class="error">{error}</p>}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>Model</th>
              <th>Provider</th>
              <th>Status</th>
              <th>Tokens</th>
              <th>Cost</th>
              <th>Latency</th>
            </tr>
          </thead>
          <tbody>
            {data?.data.map((row) => (
              <tr key={row.id} tabIndex={0} class="clickable" onClick={() => setSelected(row)} onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), setSelected(row))}>
                <td>{dateTime(row.created_at)}</td>
                <td>{row.model}</td>
                <td>{row.provider ?? '—'}</td>
                <td><span class={`badge ${row.status}`}>{row.http_status}</span></td>
                <td>{num(row.prompt_tokens + row.completion_tokens)}</td>
                <td>{credits(row.cost)}</td>
                <td>{ms(row.latency_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data?.data.length === 0 && <p class="muted empty">No requests match.</p>}
      </div>
      <nav class="pager" aria-label="Pages">
        <button disabled={!before} onClick={() => setQuery({ ...filters, before: newerPages.pop() })}>← Newer</button>
        <button
          disabled={!data?.next_before}
          onClick={() => {
            newerPages.push(before);
            setQuery({ ...filters, before: data?.next_before });
          }}
        >
          Older →
        </button>
      </nav>
      {selected && <Detail row={selected} onClose={() => setSelected(null)} />}
    </>
  );
}
