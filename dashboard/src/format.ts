import { signal } from '@preact/signals';
import { zoneOffset } from '../../src/time/zone-time.js';

/** The zone times are shown in, and whose days and hours usage is bucketed by. */
/** The operator's zone (OPENSQ_TIMEZONE, sent in the page), else the browser's. */
export const defaultTimeZone = document.querySelector<HTMLMetaElement>('meta[name="opensq-time-zone"]')?.content || Intl.DateTimeFormat().resolvedOptions().timeZone;
export const timeZone = signal(localStorage.getItem('opensq.tz') ?? defaultTimeZone);

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

/** `t` as ISO 8601 on the zone's clock with its offset, e.g. 2026-11-01T00:00:00-04:00. */
export function isoInZone(t: number, zone: string): string {
  const offset = zoneOffset(zone, t);
  const abs = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  return `${new Date(t + offset).toISOString().slice(0, 19)}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
