/**
 * The Content-Security-Policy of the dashboard's pages and assets. The build inlines no script and
 * no style (Vite emits files; the server passes its settings in a `<meta>`), so both come from this
 * origin only, and an injected `<script>`, inline handler or `style` attribute does not run. Images
 * may be `data:` (ImaGen's answers) or `blob:`, audio `blob:` or `data:` (Speech); nothing is loaded
 * from elsewhere, nothing may frame the dashboard, and no form can post off the origin.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every page and asset of the dashboard; JSON answers of the API go without. */
export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  // frame-ancestors' counterpart for browsers that predate it.
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // The dashboard's URLs carry request ids and filters; links out of it leak none of them.
  'referrer-policy': 'no-referrer',
};
