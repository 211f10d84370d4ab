import { useState } from 'preact/hooks';
import { api, adminGet } from '../api.js';
import { dateTime, ms, pct } from '../format.js';
import type { CatalogModel, DeploymentHealth, DeploymentTestResult, ProviderDeploymentView, ProvidersView } from '../types.js';
import { useLoad } from '../use-load.js';

/** One request: GET /admin/providers answers health, 24 h usage per deployment and the catalog. */
const load = (): Promise<ProvidersView> => adminGet<ProvidersView>('/providers');

/** "Test now": a one-token chat (or one embedding) straight to the deployment, its latency or its error. */
function TestNow({ d }: { d: DeploymentHealth }) {
  const [state, setState] = useState<{ busy: boolean; result?: DeploymentTestResult; error?: string }>({ busy: false });
  async function run(): Promise<void> {
    setState({ busy: true });
    try {
      const result = await api<DeploymentTestResult>('POST', '/admin/deployments/test', { body: { model: d.model, provider: d.provider, upstream_model: d.upstream_model } });
      setState({ busy: false, result });
    } catch (e) {
      setState({ busy: false, error: (e as Error).message });
    }
  }
  const { result } = state;
  return (
    <>
      <button onClick={() => void run()} disabled={state.busy} aria-label={`Test ${d.provider} ${d.upstream_model} for ${d.model}`}>
        {state.busy ? 'Testing…' : 'Test now'}
      </button>{' '}
      <span role="status" class="small">
        {result && (result.ok ? <span class="badge ok">ok · {ms(result.latency_ms)}</span> : <span class="error">{result.error?.status} {result.error?.code}: {result.error?.message} ({ms(result.latency_ms)})</span>)}
        {state.error && <span class="error">{state.error}</span>}
      </span>
    </>
  );
}

function DeploymentTable({ rows, catalog }: { rows: ProviderDeploymentView[]; catalog: Record<string, CatalogModel> }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Model</th>
            <th>Provider</th>
            <th>State</th>
            <th>Latency p50 (24 h)</th>
            <th>Success (24 h)</th>
            <th>Why</th>
            <th>Test</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => {
            const u = d.usage_24h;
            return (
              <tr key={`${d.model}/${d.provider}/${d.upstream_model}`}>
                <td>{d.model}</td>
                <td class="wrap">{d.provider} <span class="muted small">{d.upstream_model}</span></td>
                <td>
                  <span class={`badge ${d.state}`}>{d.state === 'cooling_down' ? `cooling down until ${dateTime(d.cooling_down_until)}` : d.state.replace('_', ' ')}</span>
                </td>
                <td>{ms(u.latency_p50_ms)}</td>
                <td>{u.requests ? pct(u.requests - u.errors, u.requests) : '—'}</td>
                <td class="small wrap">{d.last_error ?? d.reason ?? ''}</td>
                <td>{d.testable && d.state !== 'not_configured' ? <TestNow d={d} /> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function Providers() {
  const { data, error } = useLoad(load, []);
  // Deployments of providers without credentials are many and idle: folded away below the others.
  const configured = data?.deployments.filter((d) => d.state !== 'not_configured') ?? [];
  const unconfigured = data?.deployments.filter((d) => d.state === 'not_configured') ?? [];
  return (
    <>
      <header class="view-head">
        <h1>Providers and models</h1>
        {data && (
          <span class="muted">
            Gateway <span class={`badge ${data.status}`}>{data.status}</span>
          </span>
        )}
      </header>
      {error && <p class="error">{error}</p>}
      <section class="card">
        <h2>Deployments</h2>
        {data && <DeploymentTable rows={configured} catalog={data.catalog} />}
        {unconfigured.length > 0 && (
          <details class="more">
            <summary>{unconfigured.length} deployments whose provider is not configured</summary>
            <DeploymentTable rows={unconfigured} catalog={data?.catalog ?? {}} />
          </details>
        )}
      </section>
      <section class="card">
        <h2>Catalog</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Model</th>
                <th>Type</th>
                <th>Capabilities</th>
                <th>Price in / out (per M)</th>
                <th>Tier</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {data &&
                Object.entries(data.catalog).map(([id, m]) => (
                  <tr key={id}>
                    <td>{id} <span class="muted small">{m.owner}</span></td>
                    <td>{m.modality}</td>
                    <td class="small">{[m['can-stream'] && 'stream', m['can-tools'] && 'tools', m['can-vision'] && 'vision', m['can-think'] && 'think'].filter(Boolean).join(' · ')}</td>
                    <td>{m.cost ? `${m.cost.input} / ${m.cost.output}` : '—'}</td>
                    <td>{m.tier}{m.paid ? ' · paid' : ''}</td>
                    <td><span class={`badge ${m.status === 'work' ? 'ok' : 'down'}`}>{m.status}</span></td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
