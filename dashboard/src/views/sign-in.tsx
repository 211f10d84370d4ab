import { useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.js';
import { signIn } from '../session.js';

/** One field: the admin key opens every view; any API key opens the playground. */
export function SignIn() {
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api('GET', '/admin/overview', { key });
      signIn(key, true);
    } catch (adminError) {
      try {
        if (adminError instanceof ApiFailure && adminError.status !== 403 && adminError.status !== 401 && adminError.status !== 404) throw adminError;
        await api('GET', '/ai/models', { key });
        signIn(key, false);
      } catch (error) {
        setError(error instanceof ApiFailure && error.status === 401 ? 'This key is not valid here.' : (error as Error).message);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="signin">
      <form class="card" onSubmit={submit}>
        <h1>OpenSq</h1>
        <p class="muted">Sign in with the admin key to manage the gateway, or with any API key to use the playground. The key stays in this tab only.</p>
        <label>
          Key
          <input type="password" name="key" autoComplete="current-password" required value={key} onInput={(e) => setKey(e.currentTarget.value)} autoFocus />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy || !key}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
