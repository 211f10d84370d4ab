/**
 * Calendar arithmetic in IANA time zones with nothing but `Intl`, so the server's usage buckets
 * and the dashboard's chart agree on where a zone's days begin (DST days are 23 or 25 hours long).
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formats.set(zone, format);
  }
  return format;
}

/** Whether `zone` names a time zone this runtime knows ("UTC", "Europe/Berlin", ...). */
export function isTimeZone(zone: string): boolean {
  try {
    formatOf(zone);
    return true;
  } catch {
    return false;
  }
}

/** How far `zone`'s clocks are ahead of UTC at instant `t`, in milliseconds. */
export function zoneOffset(zone: string, t: number): number {
  if (zone === 'UTC') return 0;
  const name = formatOf(zone).formatToParts(t).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?/.exec(name);
  if (!match) return 0;
  const ms = (Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60 + Number(match[4] ?? 0)) * 1000;
  return match[1] === '-' ? -ms : ms;
}

/** The zone's day number (days since 1970-01-01 on its calendar) at instant `t`. */
export function zoneDay(zone: string, t: number): number {
  return Math.floor((t + zoneOffset(zone, t)) / DAY_MS);
}

/** The instant the zone's day number `day` begins. */
export function zoneDayStart(zone: string, day: number): number {
  const wall = day * DAY_MS;
  const guess = wall - zoneOffset(zone, wall);
  return wall - zoneOffset(zone, guess);
}

/** The instant the zone's day containing `t` begins, moved by `days` days. */
export function startOfZoneDay(zone: string, t: number, days = 0): number {
  return zoneDayStart(zone, zoneDay(zone, t) + days);
}

/**
 * The zone's offsets over [from, to): each segment starts at `from` (the first at the range's
 * start) and keeps `offset` until the next. Offsets are sampled twice a day and changes located
 * to the minute, so every DST transition is found (no zone changes twice within 12 hours).
 */
export function offsetSegments(zone: string, from: number, to: number): Array<{ from: number; offset: number }> {
  const segments = [{ from, offset: zoneOffset(zone, from) }];
  if (zone === 'UTC') return segments;
  const step = DAY_MS / 2;
  for (let a = from; a < to; a += step) {
    const b = Math.min(a + step, to - 1);
    const before = segments[segments.length - 1].offset;
    const after = zoneOffset(zone, b);
    if (after === before) continue;
    // The first minute with the new offset lies in (lo, hi].
    let lo = Math.floor(a / 60_000);
    let hi = Math.floor(b / 60_000);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (zoneOffset(zone, mid * 60_000) === before) lo = mid;
      else hi = mid;
    }
    segments.push({ from: hi * 60_000, offset: after });
  }
  return segments;
}
