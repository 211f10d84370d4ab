import { render } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { location, onLinkClick } from './router.js';
import { isAdmin, signOut, signedIn } from './session.js';
import { defaultTimeZone, setTimeZone, timeZone } from './format.js';
import { theme, toggleTheme } from './theme.js';
import { SignIn } from './views/sign-in.js';
import { Overview } from './views/overview.js';
import { Keys } from './views/keys.js';
import { Requests } from './views/requests.js';
import { Usage } from './views/usage.js';
import { Providers } from './views/providers.js';
import './styles.css';

const Playground = lazy(() => import('./playground/playground.js').then((m) => ({ default: m.Playground })));
// ImaGen, speech and Cloud files share one lazy chunk.
const media = () => import('./media/media.js');
const ImaGen = lazy(() => media().then((m) => ({ default: m.ImaGen })));
const Speech = lazy(() => media().then((m) => ({ default: m.Speech })));
const CloudFiles = lazy(() => media().then((m) => ({ default: m.CloudFiles })));

/** The zones worth having at hand first, then every zone the browser knows. */
const ZONES = [...new Set([timeZone.value, defaultTimeZone, 'UTC', Intl.DateTimeFormat().resolvedOptions().timeZone, ...Intl.supportedValuesOf('timeZone')])];

const VIEWS = [
  { path: '/', label: 'Overview', view: Overview, admin: true },
  { path: '/usage', label: 'Usage', view: Usage, admin: true },
  { path: '/requests', label: 'Requests', view: Requests, admin: true },
  { path: '/keys', label: 'Keys', view: Keys, admin: true },
  { path: '/providers', label: 'Providers', view: Providers, admin: true },
  { path: '/playground', label: 'Playground', view: Playground, admin: false },
  { path: '/imagen', label: 'ImaGen', view: ImaGen, admin: false },
  { path: '/speech', label: 'Speech', view: Speech, admin: false },
  { path: '/files', label: 'Cloud files', view: CloudFiles, admin: false },
];


function App() {
  if (!signedIn.value) return <SignIn />;
  const views = VIEWS.filter((v) => isAdmin.value || !v.admin);
  const path = location.value.path;
  const current = views.find((v) => v.path === path) ?? views.find((v) => v.path !== '/' && path.startsWith(v.path)) ?? views[0];
  const View = current.view;
  return (
    <div class="shell" onClick={onLinkClick}>
      <a class="skip" href="#main">Skip to content</a>
      <nav class="nav" aria-label="Main">
        <strong class="brand">OpenSq</strong>
        <ul>
          {views.map((v) => (
            <li key={v.path}>
              <a href={v.path} aria-current={v === current ? 'page' : undefined}>{v.label}</a>
            </li>
          ))}
        </ul>
        <div class="nav-tools">
          <select aria-label="Time zone" value={timeZone.value} onChange={(e) => setTimeZone(e.currentTarget.value)}>
            {ZONES.map((z) => <option key={z} value={z}>{z}</option>)}
          </select>
          <button onClick={toggleTheme} aria-label={`Switch to ${theme.value === 'dark' ? 'light' : 'dark'} theme`}>{theme.value === 'dark' ? '☀' : '☾'}</button>
          <button onClick={signOut}>Sign out</button>
        </div>
      </nav>
      <main id="main" class="content" tabIndex={-1}>
        <Suspense fallback={<p class="muted">Loading…</p>}>
          <View />
        </Suspense>
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
