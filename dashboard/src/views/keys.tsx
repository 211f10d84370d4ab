import { useState } from 'preact/hooks';
import { adminGet, api } from '../api.js';
import { CopyButton } from '../copy-button.js';
import { Drawer } from '../drawer.js';
import { credits, dateTime, num } from '../format.js';
import { location, setQuery } from '../router.js';
import type { KeyCreatedView, KeySearchPage, KeyView, UsageSummaryView } from '../types.js';
import { useLoad } from '../use-load.js';

const PAGE = 20;

interface KeyForm {
  name: string;
  tier: string;
  credits: string;
  rpm: string;
  allowed_models: string;
  expires_at: string;
}

const blank: KeyForm = { name: '', tier: '0', credits: '', rpm: '', allowed_models: '', expires_at: '' };

function formOf(key: KeyView): KeyForm {
  return {
    name: key.name,
    tier: String(key.tier),
    credits: key.credits === null ? '' : String(key.credits),
    rpm: key.rpm === null ? '' : String(key.rpm),
    allowed_models: key.allowed_models?.join(', ') ?? '',
    expires_at: key.expires_at?.slice(0, 10) ?? '',
  };
}

function bodyOf(form: KeyForm): Record<string, unknown> {
  const models = form.allowed_models.split(',').map((m) => m.trim()).filter(Boolean);
  return {
    name: form.name,
    tier: Number(form.tier),
    credits: form.credits === '' ? null : Number(form.credits),
    rpm: form.rpm === '' ? null : Number(form.rpm),
    allowed_models: models.length ? models : null,
    expires_at: form.expires_at ? new Date(`${form.expires_at}T00:00:00Z`).toISOString() : null,
  };
}

function KeyFields({ form, set }: { form: KeyForm; set: (f: KeyForm) => void }) {
  const field = (name: keyof KeyForm, label: string, props: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input name={name} value={form[name]} onInput={(e) => set({ ...form, [name]: e.currentTarget.value })} {...props} />
    </label>
  );
  return (
    <div class="form-grid">
      {field('name', 'Name', { required: true })}
      <label>
        Tier
        <select name="tier" value={form.tier} onChange={(e) => set({ ...form, tier: e.currentTarget.value })}>
          {[0, 1, 2, 3].map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      {field('credits', 'Credits (empty: no limit)', { type: 'number', step: 'any', min: 0 })}
      {field('rpm', 'Requests/min (empty: tier default)', { type: 'number', min: 1 })}
      {field('allowed_models', 'Allowed models (comma-separated; empty: all)')}
      {field('expires_at', 'Expires (UTC date)', { type: 'date' })}
    </div>
  );
}

/** The key's last 7 days and, with a balance, when it runs out at that burn rate. */
function KeyActivity({ keyView }: { keyView: KeyView }) {
  const { data } = useLoad(() => adminGet<UsageSummaryView>('/usage/summary', { key_id: keyView.id, from: Date.now() - 7 * 86_400_000 }), [keyView.id]);
  if (!data) return <p class="muted">Loading use…</p>;
  const perDay = data.totals.cost / 7;
  const runsOut = keyView.credits !== null && perDay > 0 ? Math.floor(keyView.credits / perDay) : null;
  return (
    <p class="muted">
      Last 7 days: {num(data.totals.requests)} requests, {credits(data.totals.cost)} credits.{' '}
      {keyView.credits !== null &&
        (runsOut === null ? 'No spending, so the balance lasts.' : runsOut > 365 ? 'At this rate the balance lasts more than a year.' : `Runs out in about ${num(runsOut)} days at this rate.`)}
    </p>
  );
}

function KeyDrawer({ keyView, onClose, onChanged }: { keyView: KeyView; onClose: () => void; onChanged: () => void }) {
  const [form, setForm] = useState(formOf(keyView));
  const [error, setError] = useState('');
  async function save(event: Event): Promise<void> {
    event.preventDefault();
    try {
      await api('PATCH', `/admin/keys/${keyView.id}`, { body: bodyOf(form) });
      onChanged();
      onClose();
    } catch (e) {
      setError((e as Error).message);
    }
  }
  async function revoke(): Promise<void> {
    if (!confirm(`Revoke "${keyView.name}"? Requests with it will get 401 from now on.`)) return;
    await api('DELETE', `/admin/keys/${keyView.id}`);
    onChanged();
    onClose();
  }
  return (
    <Drawer label={`Key ${keyView.name}`} onClose={onClose}>
      <header class="view-head">
        <h2>{keyView.name}</h2>
        <button onClick={onClose} aria-label="Close">✕</button>
      </header>
      <p class="mono">
        {keyView.prefix}… · {keyView.id} · user {keyView.user} · <span class={`badge ${keyView.status}`}>{keyView.status}</span>
      </p>
      <KeyActivity keyView={keyView} />
      <p>
        <a href={`/requests?key_id=${keyView.id}`}>Requests with this key →</a>
      </p>
      <form onSubmit={save}>
        <KeyFields form={form} set={setForm} />
        {error && <p class="error">{error}</p>}
        <div class="actions">
          <button class="primary" type="submit">Save</button>
          {keyView.status !== 'revoked' && (
            <button type="button" class="danger" onClick={revoke}>
              Revoke
            </button>
          )}
        </div>
      </form>
    </Drawer>
  );
}

function CreateKey({ onCreated }: { onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(blank);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState('');
  async function create(event: Event): Promise<void> {
    event.preventDefault();
    try {
      const created = await api<KeyCreatedView>('POST', '/admin/keys', { body: bodyOf(form) });
      setSecret(created.key);
      setForm(blank);
      onCreated();
    } catch (e) {
      setError((e as Error).message);
    }
  }
  const close = (): void => {
    setOpen(false);
    setSecret(null);
    setError('');
  };
  return (
    <>
      <button class="primary" onClick={() => setOpen(true)}>New key</button>
      {open && (
        <Drawer label="New key" onClose={close}>
          <header class="view-head">
            <h2>New key</h2>
            <button onClick={close} aria-label="Close">✕</button>
          </header>
          {secret ? (
            <div class="secret">
              <p>Copy the key now: it is shown only this once.</p>
              <pre class="code mono" data-testid="secret">{secret}</pre>
              <div class="actions">
                <CopyButton text={secret} label="Copy key" />
                <button class="primary" onClick={close}>Done</button>
              </div>
            </div>
          ) : (
            <form onSubmit={create}>
              <KeyFields form={form} set={setForm} />
              {error && <p class="error">{error}</p>}
              <div class="actions">
                <button class="primary" type="submit">Create key</button>
              </div>
            </form>
          )}
        </Drawer>
      )}
    </>
  );
}

export function Keys() {
  const query = location.value.query;
  const q = query.get('q') ?? '';
  const status = query.get('status') ?? '';
  const offset = Number(query.get('offset') ?? 0);
  const [text, setText] = useState(q);
  const [selected, setSelected] = useState<KeyView | null>(null);
  const { data, error, reload } = useLoad(() => adminGet<KeySearchPage>('/keys/search', { q, status, offset, limit: PAGE }), [q, status, offset]);
  return (
    <>
      <header class="view-head">
        <h1>Keys</h1>
        <CreateKey onCreated={reload} />
      </header>
      <form class="filters" role="search" onSubmit={(e) => (e.preventDefault(), setQuery({ q: text, status }))}>
        <input type="search" placeholder="Search name, id or prefix" aria-label="Search keys" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <select aria-label="Status" value={status} onChange={(e) => setQuery({ q, status: e.currentTarget.value })}>
          <option value="">Any status</option>
          <option value="active">Active</option>
          <option value="revoked">Revoked</option>
          <option value="expired">Expired</option>
        </select>
        <button type="submit">Search</button>
      </form>
      {error && <p class="error">{error}</p>}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Prefix</th>
              <th>Tier</th>
              <th>Credits</th>
              <th>Status</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {data?.data.map((key) => (
              <tr key={key.id} tabIndex={0} class="clickable" onClick={() => setSelected(key)} onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), setSelected(key))}>
                <td>{key.name}</td>
                <td class="mono">{key.prefix}…</td>
                <td>{key.tier}</td>
                <td>{key.credits === null ? 'no limit' : credits(key.credits)}</td>
                <td>
                  <span class={`badge ${key.status}`}>{key.status}</span>
                </td>
                <td>{dateTime(key.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data && (
        <nav class="pager" aria-label="Pages">
          <button disabled={offset === 0} onClick={() => setQuery({ q, status, offset: Math.max(0, offset - PAGE) || undefined })}>
            ← Previous
          </button>
          <span class="muted">
            {data.total === 0 ? 'No keys' : `${offset + 1}–${offset + data.data.length} of ${data.total}`}
          </span>
          <button disabled={offset + PAGE >= data.total} onClick={() => setQuery({ q, status, offset: offset + PAGE })}>
            Next →
          </button>
        </nav>
      )}
      {selected && <KeyDrawer keyView={selected} onClose={() => setSelected(null)} onChanged={reload} />}
    </>
  );
}
