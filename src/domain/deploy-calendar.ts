// When a market allows deploys (docs/scheduling.md): its windows (days and hours on the
// market's clocks; none: always open) and its freezes (instants, from config or chat). A
// freeze beats a window. Pure: the caller passes the time.
import { addDays, instantsShowing, offsetChanges, wallTimeAt } from './zoned-time.ts';

/** A window as configured: `{ days: "Mon-Thu", from: "02:00", to: "05:00" }`; `to` ≤ `from` runs past midnight into the next day. */
export interface DeployWindow {
  days: string;
  from: string;
  to: string;
}

export interface Freeze {
  /** Epoch ms; the freeze holds from `fromMs` (inclusive) to `toMs` (exclusive). */
  fromMs: number;
  toMs: number;
  reason: string;
  /** Who froze it (a chat user id), or `config`. */
  by: string;
}

export interface MarketCalendar {
  /** IANA zone of the market's clocks. */
  timezone: string;
  /** Empty: always open. */
  windows: readonly DeployWindow[];
  freezes: readonly Freeze[];
}

export type Allowed = { ok: true } | { ok: false; kind: 'freeze'; freeze: Freeze } | { ok: false; kind: 'window' };

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The weekdays (0 = Sunday) of `Mon-Thu`, `Sat,Sun`, `Fri-Mon`, `daily`; undefined when unreadable. */
export function parseDays(days: string): Set<number> | undefined {
  const text = days.trim().toLowerCase();
  if (text === 'daily' || text === 'every day') return new Set([0, 1, 2, 3, 4, 5, 6]);
  const result = new Set<number>();
  for (const part of text.split(',')) {
    const [first, last, ...rest] = part.trim().split('-').map((s) => DAY_NAMES.indexOf(s.trim().slice(0, 3)));
    if (rest.length > 0 || first === undefined || first < 0 || (last !== undefined && last < 0)) return undefined;
    if (part.trim().split('-').some((s) => !DAY_NAMES.some((d) => s.trim().startsWith(d)))) return undefined;
    for (let day = first; ; day = (day + 1) % 7) {
      result.add(day);
      if (last === undefined || day === last) break;
    }
  }
  return result;
}

/** Minutes after midnight of `HH:MM` (`24:00` allowed as an end); undefined when unreadable. */
export function parseClock(text: string, { end = false } = {}): number | undefined {
  const match = /^(\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (Number(match[2]) > 59) return undefined;
  if (minutes < 24 * 60 || (end && minutes === 24 * 60)) return minutes;
  return undefined;
}

/** What is wrong with a window as configured, or undefined. */
export function windowProblem(window: DeployWindow): string | undefined {
  if (!parseDays(window.days)) return `days "${window.days}" must be day names or ranges like "Mon-Thu", "Sat,Sun" or "daily"`;
  if (parseClock(window.from) === undefined) return `from "${window.from}" must be HH:MM`;
  if (parseClock(window.to, { end: true }) === undefined) return `to "${window.to}" must be HH:MM (24:00 allowed)`;
  if (parseClock(window.from) === parseClock(window.to, { end: true })) return 'from and to must differ';
  return undefined;
}

/** The freeze in force at `ms`, if any (the one ending last). */
export function freezeAt(ms: number, freezes: readonly Freeze[]): Freeze | undefined {
  return freezes.filter((f) => f.fromMs <= ms && ms < f.toMs).sort((a, b) => b.toMs - a.toMs)[0];
}

/** Whether a window is open at `ms` on the market's clocks (no windows: always). */
export function windowOpenAt(ms: number, calendar: Pick<MarketCalendar, 'timezone' | 'windows'>): boolean {
  if (calendar.windows.length === 0) return true;
  const wall = wallTimeAt(ms, calendar.timezone);
  const minute = wall.hour * 60 + wall.minute;
  return calendar.windows.some((window) => {
    const days = parseDays(window.days)!;
    const from = parseClock(window.from)!;
    const to = parseClock(window.to, { end: true })!;
    if (from < to) return days.has(wall.weekday) && minute >= from && minute < to;
    // past midnight: the evening part on a listed day, the morning part the day after one
    return (days.has(wall.weekday) && minute >= from) || (days.has((wall.weekday + 6) % 7) && minute < to);
  });
}

/** Whether a deploy may start at `ms`: no freeze holds (a freeze beats a window) and a window is open. */
export function allowedAt(ms: number, calendar: MarketCalendar): Allowed {
  const freeze = freezeAt(ms, calendar.freezes);
  if (freeze) return { ok: false, kind: 'freeze', freeze };
  return windowOpenAt(ms, calendar) ? { ok: true } : { ok: false, kind: 'window' };
}

/**
 * The first instant at or after `ms`, before `ms + horizonMs`, at which a deploy may start;
 * undefined when there is none. The allowed time only begins where something changes, so
 * the candidates are `ms` itself, every moment the clocks show a window's `from` (twice
 * where clocks go back; the jump where they skip it, zoned-time.ts), every change of the
 * zone's offset and every freeze end; each is kept only if `allowedAt` says so, so the
 * answer is never inside a freeze or outside a window.
 */
export function nextAllowed(ms: number, calendar: MarketCalendar, horizonMs: number): number | undefined {
  const end = ms + horizonMs;
  const candidates = new Set<number>([ms]);
  for (const freeze of calendar.freezes) if (freeze.toMs >= ms && freeze.toMs < end) candidates.add(freeze.toMs);
  if (calendar.windows.length > 0) {
    for (const change of offsetChanges(ms, end, calendar.timezone)) candidates.add(change);
    const today = wallTimeAt(ms, calendar.timezone);
    const days = Math.ceil(horizonMs / 86_400_000) + 1;
    const starts = [...new Set(calendar.windows.map((w) => parseClock(w.from)!))];
    for (let i = -1; i <= days; i++) {
      const date = addDays(today, i);
      for (const from of starts) {
        for (const at of instantsShowing(date, Math.floor(from / 60), from % 60, calendar.timezone)) if (at >= ms && at < end) candidates.add(at);
      }
    }
  }
  return [...candidates].sort((a, b) => a - b).find((at) => allowedAt(at, calendar).ok);
}
