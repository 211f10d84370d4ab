import { useState } from 'preact/hooks';
import { adminGet } from '../api.js';
import { credits, ms, num, pct } from '../format.js';
import type { Overview as OverviewData } from '../types.js';
import { useLoad } from '../use-load.js';
import { CopyButton } from '../copy-button.js';

const PERIODS = [
  { hours: 1, label: '1 h' },
  { hours: 24, label: '24 h' },
  { hours: 24 * 7, label: '7 d' },
  { hours: 24 * 30, label: '30 d' },
];

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div class="stat card">
      <div class="muted">{label}</div>
      <div class="stat-value">{value}</div>
      {hint && <div class="muted small">{hint}</div>}
    </div>
  );
}

const LEGEND = [
  ['ok', 'no errors'],
  ['warn', 'some failed'],
  ['bad', 'all failed'],
  ['idle', 'no requests'],
] as const;

function HealthStrip({ data }: { data: OverviewData }) {
  const start = Date.parse(data.strip_from);
  const providers = [...new Set([...data.providers, ...data.strip.map((p) => p.provider)])];
  if (providers.length === 0) return <p class="muted">No provider is configured yet.</p>;
  return (
    <div class="strips">
      {providers.map((provider) => (
        <div class="strip-row" key={provider}>
          <span class="strip-name">{provider}</span>
          <span class="strip" role="img" aria-label={`${provider}: requests and errors per hour over the last 24 hours`}>
            {Array.from({ length: 24 }, (_, hour) => {
              const t = new Date(start + hour * 3_600_000).toISOString();
              const point = data.strip.find((p) => p.provider === provider && p.t === t);
              const state = !point ? 'idle' : point.errors === 0 ? 'ok' : point.errors < point.requests ? 'warn' : 'bad';
              return <i key={hour} class={`cell ${state}`} title={`${t.slice(11, 16)} UTC: ${point?.requests ?? 0} requests, ${point?.errors ?? 0} errors`} />;
            })}
          </span>
        </div>
      ))}
      <div class="strip-row" aria-hidden="true">
        <span />
        <span class="strip-axis muted small">
          <span>24 h ago</span>
          <span>12 h ago</span>
          <span>now</span>
        </span>
      </div>
      <p class="strip-legend muted small">
        {LEGEND.map(([state, text]) => (
          <span key={state}>
            <i class={`cell ${state}`} /> {text}
          </span>
        ))}
      </p>
    </div>
  );
}

function Checklist({ data }: { data: OverviewData }) {
  const curl = `curl ${window.location.origin}/v1/chat/completions \\\n  -H "Authorization: Bearer $OPENSQ_KEY" -H "Content-Type: application/json" \\\n  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`;
  const steps = [
    { done: data.checklist.provider_configured, text: 'Configure a provider: set OPENAI_API_KEY (or another provider’s key) and restart.', href: '/providers' },
    { done: data.checklist.key_created, text: 'Create a key.', href: '/keys' },
    { done: data.checklist.first_request, text: 'Make a first request:', href: '/requests' },
  ];
  return (
    <section class="card checklist" aria-label="First-run checklist">
      <h2>Get started</h2>
      <ol>
        {steps.map((s) => (
          <li key={s.text} class={s.done ? 'done' : ''}>
            <span aria-hidden="true">{s.done ? '✓' : '○'}</span> <a href={s.href}>{s.text}</a>
          </li>
        ))}
      </ol>
      <pre class="code">{curl}</pre>
      <CopyButton text={curl} label="Copy curl" />
    </section>
  );
}

export function Overview() {
  const [hours, setHours] = useState(24);
  const { data, error } = useLoad(() => adminGet<OverviewData>('/overview', { hours }), [hours]);
  const t = data?.totals;
  const fresh = data && !(data.checklist.provider_configured && data.checklist.key_created && data.checklist.first_request);
  return (
    <>
      <header class="view-head">
        <h1>Overview</h1>
        <div class="segmented" role="group" aria-label="Period">
          {PERIODS.map((p) => (
            <button key={p.hours} aria-pressed={hours === p.hours} onClick={() => setHours(p.hours)}>
              {p.label}
            </button>
          ))}
        </div>
      </header>
      {error && <p class="error">{error}</p>}
      {data && fresh && <Checklist data={data} />}
      <div class="stats">
        <Stat label="Requests" value={num(t?.requests)} />
        <Stat label="Credits spent" value={credits(t?.cost)} />
        <Stat label="Tokens" value={num(t ? t.prompt_tokens + t.completion_tokens : undefined)} hint={t ? `${num(t.prompt_tokens)} in · ${num(t.completion_tokens)} out` : undefined} />
        <Stat label="Error rate" value={t ? pct(t.errors, t.requests) : '—'} hint={t ? `${num(t.errors)} ${t.errors === 1 ? "error" : "errors"}` : undefined} />
        <Stat label="Latency p50 / p95" value={t ? `${ms(t.latency_p50_ms)} / ${ms(t.latency_p95_ms)}` : '—'} />
        <Stat label="Time to first token p50" value={ms(t?.ttft_p50_ms)} />
      </div>
      <section class="card">
        <h2>Providers, last 24 hours</h2>
        {data ? <HealthStrip data={data} /> : <p class="muted">Loading…</p>}
      </section>
    </>
  );
}
