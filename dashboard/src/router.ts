import { signal } from '@preact/signals';

/** A tiny history router: the path picks the view, the query string holds a view's filters. */
export const location = signal({ path: window.location.pathname, query: new URLSearchParams(window.location.search) });

function sync(): void {
  location.value = { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}
window.addEventListener('popstate', sync);

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  sync();
}

/** Replaces the current query (filters) without a new history entry. */
export function setQuery(values: Record<string, string | number | undefined | null>): void {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  navigate(`${window.location.pathname}${s ? `?${s}` : ''}`, true);
}

export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.target as HTMLElement).closest('a');
  if (!anchor || event.metaKey || event.ctrlKey || event.shiftKey || anchor.target || anchor.origin !== window.location.origin) return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
