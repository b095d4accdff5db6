// Wall-clock time in an IANA time zone, through Intl only (docs/scheduling.md "Time zones
// and daylight saving"). Pure: no clock is read here.

/** A wall-clock reading: the date and time a market's clocks show. */
export interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  /** 0–23 */
  hour: number;
  /** 0–59 */
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let found = formatters.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formatters.set(zone, found);
  }
  return found;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** What the clocks in `zone` show at `ms` (seconds dropped). */
export function wallTimeAt(ms: number, zone: string): WallTime {
  const floor = Math.floor(ms / 60_000) * 60_000;
  const d = new Date(floor + offsetAt(floor, zone));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), weekday: d.getUTCDay() };
}

/** The zone's offset from UTC at `ms`, in ms (UTC+8 → 8 h), from the zone's table for that year. */
export function offsetAt(ms: number, zone: string): number {
  const table = offsetTable(zone, new Date(ms).getUTCFullYear());
  let i = table.starts.length - 1;
  while (i > 0 && table.starts[i]! > ms) i--;
  return table.offsets[i]!;
}

/** The offset as Intl reads it (one ICU call; offsetAt caches these per year). */
function readOffset(ms: number, zone: string): number {
  const floor = Math.floor(ms / 60_000) * 60_000;
  const parts: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(new Date(floor))) parts[part.type] = part.value;
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute)) - floor;
}

interface OffsetTable {
  /** Instants from which `offsets[i]` holds (the first is the start of the year). */
  starts: number[];
  offsets: number[];
}

const tables = new Map<string, OffsetTable>();

/**
 * A year of the zone's offsets: read weekly, and to the minute where two readings differ.
 * This assumes a zone changes its offset at most once in a week, as every zone in use does
 * (daylight saving changes are months apart; Ramadan suspensions last weeks).
 */
function offsetTable(zone: string, year: number): OffsetTable {
  const key = `${zone}|${year}`;
  const cached = tables.get(key);
  if (cached) return cached;
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const table: OffsetTable = { starts: [start], offsets: [readOffset(start, zone)] };
  for (let at = start; at < end; ) {
    const next = Math.min(at + 7 * 86_400_000, end);
    const offset = readOffset(next, zone);
    if (offset !== table.offsets[table.offsets.length - 1]) {
      let low = at;
      let high = next;
      const lowOffset = table.offsets[table.offsets.length - 1];
      while (high - low > 60_000) {
        const middle = Math.floor((low + high) / 120_000) * 60_000;
        if (readOffset(middle, zone) === lowOffset) low = middle;
        else high = middle;
      }
      if (high < end) {
        table.starts.push(high);
        table.offsets.push(offset);
      }
    }
    at = next;
  }
  if (tables.size > 2000) tables.clear();
  tables.set(key, table);
  return table;
}

/**
 * The first instant at which the clocks in `zone` show `hour:minute` on that date, or
 * later: a time shown twice (clocks go back) is its first occurrence; a time never shown
 * (clocks go forward over it, 02:30 on a spring-forward night) is the instant of the jump
 * (03:00), the first moment the clock is past it.
 */
export function firstInstantShowing(date: { year: number; month: number; day: number }, hour: number, minute: number, zone: string): number {
  return instantsShowing(date, hour, minute, zone)[0]!;
}

/** Every instant the clocks in `zone` show `hour:minute` on that date (two where clocks go back), or the jump over it (a gap). */
export function instantsShowing(date: { year: number; month: number; day: number }, hour: number, minute: number, zone: string): number[] {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const before = offsetAt(asUtc - 36 * 3_600_000, zone);
  const after = offsetAt(asUtc + 36 * 3_600_000, zone);
  const valid = [...new Set([before, after])].map((offset) => asUtc - offset).filter((ms) => offsetAt(ms, zone) === asUtc - ms);
  if (valid.length > 0) return valid.sort((a, b) => a - b);
  // a gap: the offset changes between the two readings; find the minute it does
  return [transitionBetween(Math.min(asUtc - before, asUtc - after), Math.max(asUtc - before, asUtc - after), zone)];
}

/**
 * The first instant in (low, high] whose offset differs from low's (one change in between).
 * Plain bisection to the millisecond: a midpoint rounded to the minute could equal `low` when
 * `low` is not on a minute, and the loop then never ended.
 */
function transitionBetween(low: number, high: number, zone: string): number {
  const lowOffset = offsetAt(low, zone);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(middle, zone) === lowOffset) low = middle;
    else high = middle;
  }
  return high;
}

/** The instants in [fromMs, toMs) at which the zone's offset changes (clocks go forward or back). */
export function offsetChanges(fromMs: number, toMs: number, zone: string): number[] {
  const step = 6 * 3_600_000;
  const changes: number[] = [];
  let previous = offsetAt(fromMs, zone);
  for (let at = fromMs; at < toMs; at += step) {
    const next = Math.min(at + step, toMs);
    const offset = offsetAt(next, zone);
    if (offset !== previous) changes.push(transitionBetween(at, next, zone));
    previous = offset;
  }
  return changes.filter((ms) => ms < toMs);
}

/** The calendar date `days` after `date` (proleptic, no zone involved). */
export function addDays(date: { year: number; month: number; day: number }, days: number): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() };
}

/** `2026-12-02 03:00 Wed (Asia/Shanghai, UTC+08:00)`. */
export function formatInZone(ms: number, zone: string): string {
  // seconds are dropped: a scheduled time is shown to the minute
  ms = Math.floor(ms / 60_000) * 60_000;
  const w = wallTimeAt(ms, zone);
  const offset = offsetAt(ms, zone) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${WEEKDAYS[w.weekday]} (${zone}, UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`;
}

/** `2026-12-02T03:00+08:00`: the instant (to the second) as the market's clocks show it, with their offset. */
export function isoInZone(ms: number, zone: string): string {
  const w = wallTimeAt(ms, zone);
  const offset = offsetAt(ms, zone) / 60_000;
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, '0');
  const seconds = Math.floor(ms / 1000) % 60;
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}${seconds ? `:${pad(seconds)}` : ''}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
