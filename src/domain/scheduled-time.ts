// `--at <when>` read against a market's calendar (docs/scheduling.md "--at"): ISO 8601 with
// an offset, `HH:MM` (the next time the market's clocks show it), or `next-window`. Pure:
// `now` is passed in.
import { type MarketCalendar, nextAllowed, parseClock } from './deploy-calendar.ts';
import { addDays, instantsShowing, wallTimeAt } from './zoned-time.ts';

/** How far ahead a deploy may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 86_400_000;

export type ScheduledTime = { ok: true; atMs: number } | { ok: false; error: string };

const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Whether `text` has one of the three forms (checked again, with the market's zone, when it is used). */
export function isWhenForm(text: string): boolean {
  return text === 'next-window' || ISO_WITH_OFFSET.test(text) || parseClock(text) !== undefined;
}

/** The instant `when` means in `calendar`'s market at `nowMs`, within the bounds (not past, at most 30 days ahead). */
export function scheduledTime(when: string, nowMs: number, calendar: MarketCalendar): ScheduledTime {
  let atMs: number;
  if (when === 'next-window') {
    if (calendar.windows.length === 0 && calendar.freezes.length === 0) return { ok: false, error: '--at next-window: the market has no windows (it is always open); give a time instead' };
    const next = nextAllowed(nowMs, calendar, MAX_SCHEDULE_AHEAD_MS);
    if (next === undefined) return { ok: false, error: '--at next-window: no window opens outside a freeze within 30 days' };
    atMs = next;
  } else if (ISO_WITH_OFFSET.test(when)) {
    atMs = Date.parse(when);
    if (Number.isNaN(atMs)) return { ok: false, error: `--at ${when} is not a real date and time` };
  } else {
    const minutes = parseClock(when);
    if (minutes === undefined) return { ok: false, error: `--at ${JSON.stringify(when)} must be an ISO time with an offset (2026-12-02T03:00+08:00), HH:MM (market time) or next-window` };
    atMs = nextShowing(nowMs, minutes, calendar.timezone);
  }
  if (atMs < nowMs) return { ok: false, error: `--at ${when} is in the past` };
  if (atMs - nowMs > MAX_SCHEDULE_AHEAD_MS) return { ok: false, error: `--at ${when} is more than 30 days ahead` };
  return { ok: true, atMs };
}

/** The first instant after `nowMs` at which the market's clocks show `minutes` past midnight (zoned-time.ts for days that skip or repeat it). */
export function nextShowing(nowMs: number, minutes: number, zone: string): number {
  const today = wallTimeAt(nowMs, zone);
  for (let i = 0; i <= 2; i++) {
    const found = instantsShowing(addDays(today, i), Math.floor(minutes / 60), minutes % 60, zone).find((at) => at > nowMs);
    if (found !== undefined) return found;
  }
  throw new Error(`no day shows ${minutes} minutes past midnight in ${zone}`);
}
