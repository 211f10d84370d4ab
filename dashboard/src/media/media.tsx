import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.js';
import { ms } from '../format.js';
import { useReplay } from '../replay.js';
import { isAdmin, sessionKey } from '../session.js';
import type { CatalogModel, OnlySqCatalogView } from '../types.js';

/** ImaGen's ratios, as `POST /ai/imagen` takes them. */
export const RATIOS = ['1:1', '16:9', '21:9', '3:2', '2:3', '4:5', '5:4', '3:4', '4:3', '9:16', '9:21'];

/** The API key the media views call with: the signed-in key, or the public key `openai` for the admin. */
function useApiKey(): [string, (key: string) => void] {
  return useState(isAdmin.value ? 'openai' : sessionKey.value);
}

function KeyField({ value, onChange }: { value: string; onChange: (key: string) => void }) {
  return (
    <label>
      API key
      <input type="password" name="api-key" value={value} onChange={(e) => onChange(e.currentTarget.value)} />
    </label>
  );
}

/** The model picker; a model not in the catalog (a replayed request's) stays choosable. */
function ModelField({ models, value, onChange }: { models: string[]; value: string; onChange: (model: string) => void }) {
  return (
    <label>
      Model
      <select name="model" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {(models.includes(value) || !value ? models : [...models, value]).map((id) => <option key={id} value={id}>{id}</option>)}
      </select>
    </label>
  );
}

/** The catalog's models of one modality, by id. */
function useModels(key: string, modality: CatalogModel['modality']): { models: string[]; error: string } {
  const [state, setState] = useState<{ models: string[]; error: string }>({ models: [], error: '' });
  useEffect(() => {
    api<OnlySqCatalogView>('GET', '/ai/models', { key }).then(
      (catalog) => setState({ models: Object.entries(catalog.models).filter(([, m]) => m.modality === modality).map(([id]) => id), error: '' }),
      (error: Error) => setState({ models: [], error: error.message }),
    );
  }, [key, modality]);
  return state;
}

/** A non-JSON answer's error in OpenAI's shape, as an ApiFailure. */
async function failure(res: Response): Promise<ApiFailure> {
  const text = await res.text();
  let error: { message?: string; code?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: { message?: string; code?: string } }).error;
  } catch {
    // not JSON: the status says it
  }
  return new ApiFailure(res.status, error?.message ?? `HTTP ${res.status}`, error?.code ?? null);
}

interface Generated {
  id: string;
  model: string;
  prompt: string;
  ratio: string;
  src: string;
  size: { width: number; height: number };
  seconds: number;
}

export function ImaGen() {
  const [key, setKey] = useApiKey();
  const { models, error: modelsError } = useModels(key, 'image');
  const [model, setModel] = useState('');
  const [prompt, setPrompt] = useState('');
  const [ratio, setRatio] = useState('1:1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [gallery, setGallery] = useState<Generated[]>([]);
  const chosen = model || models[0] || '';
  // A logged ImaGen or images request: its model, prompt and ratio (images' sizes have none).
  const replay = useReplay(({ request_body }) => {
    const body = request_body as { model?: unknown; prompt?: unknown; ratio?: unknown };
    if (typeof body.model === 'string') setModel(body.model);
    if (typeof body.prompt === 'string') setPrompt(body.prompt);
    setRatio(typeof body.ratio === 'string' && RATIOS.includes(body.ratio) ? body.ratio : '1:1');
  });

  async function generate(event: Event): Promise<void> {
    event.preventDefault();
    if (!prompt.trim() || !chosen) return;
    setBusy(true);
    setError('');
    try {
      const answer = await api<{ id: string; model: string; files: string[]; ratio: string; size: { width: number; height: number }; 'elapsed-time': number }>('POST', '/ai/imagen', {
        key,
        body: { model: chosen, prompt, ratio },
      });
      const images = answer.files.map((file, i) => ({ id: `${answer.id}-${i}`, model: answer.model, prompt, ratio: answer.ratio, src: `data:image/png;base64,${file}`, size: answer.size, seconds: answer['elapsed-time'] }));
      setGallery((g) => [...images, ...g]);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <header class="view-head">
        <h1>ImaGen</h1>
      </header>
      <form class="card media-form" onSubmit={(e) => void generate(e)}>
        <div class="form-grid">
          <KeyField value={key} onChange={setKey} />
          <ModelField models={models} value={chosen} onChange={setModel} />
          <label>
            Ratio
            <select name="ratio" value={ratio} onChange={(e) => setRatio(e.currentTarget.value)}>
              {RATIOS.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </label>
        </div>
        <label>
          Prompt
          <textarea name="prompt" rows={3} value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} />
        </label>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !prompt.trim() || !chosen}>{busy ? 'Generating…' : 'Generate'}</button>
        </div>
        {modelsError && <p class="error">{modelsError}</p>}
        {replay.error && <p class="error" role="alert">{replay.error}</p>}
        {error && <p class="error" role="alert">{error}</p>}
        {models.length === 0 && !modelsError && <p class="muted">No image model is configured.</p>}
      </form>
      <section class="gallery" aria-label="Generated images">
        {gallery.map((g) => (
          <figure key={g.id} class="card">
            <img src={g.src} alt={g.prompt} width={g.size.width} height={g.size.height} />
            <figcaption class="muted small">
              {g.model} · {g.ratio} · {g.size.width}×{g.size.height} · {ms(g.seconds * 1000)} · <a href={g.src} download={`${g.id}.png`}>Download</a>
            </figcaption>
          </figure>
        ))}
      </section>
    </>
  );
}

export function Speech() {
  const [key, setKey] = useApiKey();
  const { models, error: modelsError } = useModels(key, 'sound');
  const [model, setModel] = useState('');
  const [lang, setLang] = useState('en');
  const [voice, setVoice] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [audio, setAudio] = useState<{ url: string; type: string; bytes: number } | null>(null);
  const chosen = model || (models.includes('espeak') ? 'espeak' : models[0]) || '';
  // A logged /ai/tts (text, lang) or /audio/speech (input) request: its model, text and voice.
  const replay = useReplay(({ request_body }) => {
    const body = request_body as { model?: unknown; text?: unknown; input?: unknown; lang?: unknown; voice?: unknown };
    if (typeof body.model === 'string') setModel(body.model);
    const spoken = typeof body.text === 'string' ? body.text : body.input;
    if (typeof spoken === 'string') setText(spoken);
    setLang(typeof body.lang === 'string' ? body.lang : '');
    setVoice(typeof body.voice === 'string' ? body.voice : '');
  });

  useEffect(() => () => audio && URL.revokeObjectURL(audio.url), [audio]);

  async function speak(event: Event): Promise<void> {
    event.preventDefault();
    if (!text.trim() || !chosen) return;
    setBusy(true);
    setError('');
    try {
      const res = await fetch('/ai/tts', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: chosen, text, ...(lang && { lang }), ...(voice && { voice }) }),
      });
      if (!res.ok) throw await failure(res);
      const blob = await res.blob();
      setAudio({ url: URL.createObjectURL(blob), type: blob.type, bytes: blob.size });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <header class="view-head">
        <h1>Text to speech</h1>
      </header>
      <form class="card media-form" onSubmit={(e) => void speak(e)}>
        <div class="form-grid">
          <KeyField value={key} onChange={setKey} />
          <ModelField models={models} value={chosen} onChange={setModel} />
          <label>
            Language
            <input name="lang" value={lang} placeholder="en" onInput={(e) => setLang(e.currentTarget.value)} />
          </label>
          <label>
            Voice
            <input name="voice" value={voice} placeholder="default" onInput={(e) => setVoice(e.currentTarget.value)} />
          </label>
        </div>
        <label>
          Text
          <textarea name="text" rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !text.trim() || !chosen}>{busy ? 'Speaking…' : 'Speak'}</button>
        </div>
        {modelsError && <p class="error">{modelsError}</p>}
        {replay.error && <p class="error" role="alert">{replay.error}</p>}
        {error && <p class="error" role="alert">{error}</p>}
      </form>
      {audio && (
        <section class="card" aria-label="Speech">
          <audio controls src={audio.url} data-testid="speech-audio" />
          <p class="muted small">
            {audio.type || 'audio'} · {audio.bytes.toLocaleString('en-US')} bytes · <a href={audio.url} download="speech">Download</a>
          </p>
        </section>
      )}
    </>
  );
}

/** A file uploaded in this tab, with the owner key that deletes it (kept in sessionStorage only). */
interface CloudFile {
  id: string;
  name: string;
  size: number;
  owner: string;
  uploadedAt: string;
}

const CLOUD_STORE = 'opensq.cloud';

function storedFiles(): CloudFile[] {
  try {
    return JSON.parse(sessionStorage.getItem(CLOUD_STORE) ?? '[]') as CloudFile[];
  } catch {
    return [];
  }
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function CloudFiles() {
  const [files, setFiles] = useState<CloudFile[]>(storedFiles);
  const [chosen, setChosen] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  function save(next: CloudFile[]): void {
    sessionStorage.setItem(CLOUD_STORE, JSON.stringify(next));
    setFiles(next);
  }

  async function upload(event: Event): Promise<void> {
    event.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setError('');
    try {
      const form = new FormData();
      form.append('file', chosen, chosen.name);
      const res = await fetch('/cloud/upload', { method: 'POST', body: form });
      if (!res.ok) throw await failure(res);
      const answer = (await res.json()) as { owner: string; url: string };
      const id = answer.url.slice(answer.url.lastIndexOf('/') + 1);
      save([{ id, name: chosen.name, size: chosen.size, owner: answer.owner, uploadedAt: new Date().toISOString() }, ...storedFiles()]);
      setChosen(null);
      (event.target as HTMLFormElement).reset();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function remove(file: CloudFile): Promise<void> {
    if (!confirm(`Delete ${file.name}?`)) return;
    setError('');
    try {
      const res = await fetch(`/cloud/file/${file.id}`, { method: 'DELETE', headers: { authorization: file.owner } });
      // Gone already (404) is as good as deleted.
      if (!res.ok && res.status !== 404) throw await failure(res);
      save(storedFiles().filter((f) => f.id !== file.id));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <>
      <header class="view-head">
        <h1>Cloud files</h1>
      </header>
      <form class="card media-form" onSubmit={(e) => void upload(e)}>
        <label>
          File
          <input type="file" name="file" onChange={(e) => setChosen(e.currentTarget.files?.[0] ?? null)} />
        </label>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !chosen}>{busy ? 'Uploading…' : 'Upload'}</button>
        </div>
        <p class="muted small">Files uploaded in this tab are listed here; their owner keys stay in this tab's sessionStorage and are needed to delete them.</p>
        {error && <p class="error" role="alert">{error}</p>}
      </form>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Size</th>
              <th>Uploaded</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {files.map((f) => (
              <tr key={f.id}>
                <td>
                  <a href={`/cloud/file/${f.id}?mode=view`} target="_blank" rel="noopener">{f.name}</a>
                </td>
                <td>{bytes(f.size)}</td>
                <td>{new Date(f.uploadedAt).toLocaleTimeString('en-GB')}</td>
                <td class="row-actions">
                  <a href={`/cloud/file/${f.id}?mode=dl`} download={f.name}>Download</a>{' '}
                  <button onClick={() => void remove(f)} aria-label={`Delete ${f.name}`}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {files.length === 0 && <p class="muted empty">No files uploaded in this session.</p>}
      </div>
    </>
  );
}
