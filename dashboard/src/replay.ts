import { useEffect, useState } from 'preact/hooks';
import { adminGet } from './api.js';
import { location, navigate } from './router.js';
import { isAdmin } from './session.js';
import type { BodyOmitted, RequestDetail } from './types.js';

/** The view that replays a request of each endpoint; endpoints missing here have nothing to replay. */
const TARGETS: Record<string, string> = {
  'chat.completions': '/playground',
  responses: '/playground',
  completions: '/playground',
  v2: '/playground',
  embeddings: '/playground',
  imagen: '/imagen',
  images: '/imagen',
  tts: '/speech',
  speech: '/speech',
};

export const replayTarget = (endpoint: string): string | undefined => TARGETS[endpoint];

export const OMITTED: Record<BodyOmitted, string> = {
  too_large: 'Its body was larger than OPENSQ_LOG_REQUEST_BODY_MAX_BYTES, so it was not kept.',
  disabled: 'Request bodies are not kept (OPENSQ_LOG_REQUEST_BODIES=false).',
  expired: 'Its body was pruned after OPENSQ_REQUEST_BODY_RETENTION_DAYS.',
  not_kept: 'Its body was not kept: the request was refused before it ran, or bodies were off then.',
};

// The detail the drawer last loaded, handed to the view it opens so the click costs no request. It
// stays until the next replay: the view may mount again (a lazy chunk suspending it) and still find it.
const handed = new Map<string, RequestDetail>();

/** Opens the request's view with `?replay=<request id>`, which a reload fetches again. */
export function replay(detail: RequestDetail): void {
  const target = replayTarget(detail.endpoint);
  if (!target) return;
  handed.clear();
  handed.set(detail.request_id, detail);
  navigate(`${target}?replay=${encodeURIComponent(detail.request_id)}`);
}

/**
 * The request named by `?replay=` and its body, handed over by the log's drawer or, after a
 * reload, fetched from the admin API; `apply` runs once per request.
 */
export function useReplay(apply: (detail: RequestDetail) => void): { id: string | null; error: string } {
  const id = location.value.query.get('replay');
  const [error, setError] = useState('');
  useEffect(() => {
    if (!id) return;
    let current = true;
    // A 401 from the admin API would sign a non-admin out.
    if (!isAdmin.value) return setError('Replaying a logged request needs the admin key.');
    const kept = handed.get(id);
    (kept ? Promise.resolve(kept) : adminGet<RequestDetail>(`/requests/${encodeURIComponent(id)}`)).then(
      (detail) => {
        if (!current) return;
        if (detail.request_body === null) setError(`Cannot replay ${id}: ${OMITTED[detail.request_body_omitted ?? 'not_kept']}`);
        else (setError(''), apply(detail));
      },
      (e: Error) => current && setError(`Cannot replay ${id}: ${e.message}`),
    );
    return () => {
      current = false;
    };
  }, [id]);
  return { id, error };
}
