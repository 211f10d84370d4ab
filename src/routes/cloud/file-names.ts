/**
 * Control characters (C0, DEL, C1) and Unicode's direction marks, embeddings, overrides and isolates:
 * `invoice<U+202E>fdp.exe` would show as `invoiceexe.pdf` in a browser's downloads and the dashboard.
 */
const HIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** An uploaded file's name without any path, control or direction characters, at most 255 characters. */
export function cleanFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const clean = Array.from(base.replace(HIDDEN_CHARACTERS, '').trim()).slice(0, 255).join('');
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

/** A plausible `type/subtype` media type, or application/octet-stream. */
export function cleanContentType(type: string | undefined): string {
  return type && /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type.toLowerCase() : 'application/octet-stream';
}

function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `Content-Disposition` for a download. By default the bare file name, as OnlySq's own client
 * example saves the header's raw value as the file name (UTF-8 bytes, as HTTP headers carry them);
 * `mode=dl` and `mode=view` send the standard `attachment` and `inline` forms.
 */
export function contentDisposition(name: string, mode: unknown): string {
  if (mode === 'dl' || mode === 'view') {
    const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
    return `${mode === 'dl' ? 'attachment' : 'inline'}; filename="${ascii}"; filename*=UTF-8''${rfc5987(name)}`;
  }
  return Buffer.from(name, 'utf8').toString('latin1');
}
