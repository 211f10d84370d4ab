import { signal } from '@preact/signals';

/** The zone times are shown in; buckets stay UTC on the server. */
export const timeZone = signal(localStorage.getItem('opensq.tz') ?? Intl.DateTimeFormat().resolvedOptions().timeZone);

export function setTimeZone(zone: string): void {
  localStorage.setItem('opensq.tz', zone);
  timeZone.value = zone;
}

export const num = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : n.toLocaleString('en-US'));
export const credits = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : n < 1 ? n.toFixed(4) : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));
export const ms = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`);
export const pct = (part: number, whole: number): string => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)}%`);

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en-GB', { timeZone: timeZone.value, year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function day(iso: string): string {
  return new Date(iso).toLocaleDateString('en-GB', { timeZone: timeZone.value, month: 'short', day: '2-digit' });
}
