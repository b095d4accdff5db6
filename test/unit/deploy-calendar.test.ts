// The market calendar (src/domain/deploy-calendar.ts, zoned-time.ts, scheduled-time.ts):
// windows on the market's clocks, freezes, the next allowed start and `--at`, across time
// zones and daylight-saving changes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedAt, type DeployWindow, type Freeze, type MarketCalendar, nextAllowed, parseDays, windowOpenAt } from '../../src/domain/deploy-calendar.ts';
import { scheduledTime } from '../../src/domain/scheduled-time.ts';
import { isParked } from '../../src/domain/deploy-record.ts';
import { earliestAhead } from '../../src/domain/queue-order.ts';
import { firstInstantShowing, instantsShowing, offsetChanges, wallTimeAt } from '../../src/domain/zoned-time.ts';

const H = 3_600_000;
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Sao_Paulo', 'Asia/Shanghai', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'];
const pad = (n: number) => String(n).padStart(2, '0');
const clock = fc.integer({ min: 0, max: 47 }).map((half) => `${pad(Math.floor(half / 2))}:${half % 2 ? '30' : '00'}`);
const DAY_SETS = ['Mon-Thu', 'Mon-Fri', 'Sat,Sun', 'Fri-Mon', 'daily', 'Sun', 'Tue,Thu'];
const windowArb: fc.Arbitrary<DeployWindow> = fc.record({ days: fc.constantFrom(...DAY_SETS), from: clock, to: clock }).filter((w) => w.from !== w.to);
// 2000–2037: years the zones' daylight-saving rules are known for
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2037, 0, 1) });
const freezeArb = (around: number): fc.Arbitrary<Freeze> =>
  fc.record({ start: fc.integer({ min: -3 * 24, max: 10 * 24 }), hours: fc.integer({ min: 1, max: 5 * 24 }) }).map(({ start, hours }) => ({ fromMs: around + start * H, toMs: around + (start + hours) * H, reason: 'freeze', by: 'config' }));
const calendarAround = (around: number): fc.Arbitrary<MarketCalendar> =>
  fc.record({ timezone: fc.constantFrom(...ZONES), windows: fc.array(windowArb, { maxLength: 3 }), freezes: fc.array(freezeArb(around), { maxLength: 3 }) });
const scenario = instant.chain((now) => fc.tuple(fc.constant(now), calendarAround(now)));

describe('market calendar (properties)', () => {
  it('across 10 000 random calendars and times, then nothing allowed is inside a freeze or outside a window, and the next allowed start is allowed', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 4 * 24 * 60 }), ([now, calendar], minutes) => {
        const at = now + minutes * 60_000;
        const verdict = allowedAt(at, calendar);
        const frozen = calendar.freezes.some((f) => f.fromMs <= at && at < f.toMs);
        expect(verdict.ok).toBe(!frozen && windowOpenAt(at, calendar));
        if (frozen) expect(verdict).toMatchObject({ ok: false, kind: 'freeze' });
        // a horizon of 3 days keeps 10 000 runs affordable; the next property looks 8 days ahead
        const next = nextAllowed(now, calendar, 3 * 24 * H);
        if (next !== undefined) {
          expect(next).toBeGreaterThanOrEqual(now);
          expect(calendar.freezes.some((f) => f.fromMs <= next && next < f.toMs)).toBe(false);
          expect(windowOpenAt(next, calendar)).toBe(true);
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('for any calendar, then no minute between now and the next allowed start is allowed (it is the first)', () => {
    fc.assert(
      fc.property(scenario, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }), ([now, calendar], fractions) => {
        const horizon = 8 * 24 * H;
        const next = nextAllowed(now, calendar, horizon);
        const until = next ?? now + horizon;
        for (const f of fractions) {
          const at = now + Math.floor(((until - now) * f) / 60_000) * 60_000;
          if (at < until) expect(allowedAt(at, calendar).ok).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('for any market clock reading HH:MM, then --at HH:MM is the next time the clock is at or just past it, within a day and a bit', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), clock, (now, timezone, when) => {
        const result = scheduledTime(when, now, { timezone, windows: [], freezes: [] });
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.atMs).toBeGreaterThan(now);
        expect(result.atMs - now).toBeLessThanOrEqual(26 * H);
        const wall = wallTimeAt(result.atMs, timezone);
        const [hh, mm] = when.split(':').map(Number);
        const shown = wall.hour * 60 + wall.minute;
        // shown exactly, or (a day that skips it) the first minute after the jump
        if (shown !== hh! * 60 + mm!) expect(wallTimeAt(result.atMs - 60_000, timezone).hour * 60 + wallTimeAt(result.atMs - 60_000, timezone).minute).toBeLessThan(hh! * 60 + mm!);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('zone tables', () => {
  it('for any zone and instant (2000–2037), then the wall time read from the cached tables is what Intl shows', () => {
    const intl = (ms: number, timeZone: string) => {
      const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)]));
      return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute };
    };
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES, 'Africa/Casablanca', 'America/Santiago', 'Asia/Tehran', 'Europe/Dublin'), (ms, zone) => {
        const wall = wallTimeAt(ms, zone);
        expect({ year: wall.year, month: wall.month, day: wall.day, hour: wall.hour, minute: wall.minute }).toEqual(intl(ms, zone));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('daylight saving', () => {
  // 2026-03-08: New York's clocks go from 02:00 EST to 03:00 EDT
  const newYork: MarketCalendar = { timezone: 'America/New_York', windows: [{ days: 'daily', from: '02:00', to: '03:00' }], freezes: [] };

  it('when a window 02:00–03:00 falls on the night clocks go forward, then it does not open that night and the next start is the following night', () => {
    const evening = Date.parse('2026-03-07T23:00-05:00');
    const next = nextAllowed(evening, newYork, 3 * 24 * H)!;
    expect(new Date(next).toISOString()).toBe('2026-03-09T06:00:00.000Z'); // 02:00 EDT on Monday
    for (let at = evening; at < next; at += 60_000) expect(allowedAt(at, newYork).ok).toBe(false);
  });

  it('when --at 02:30 names a time the clocks skip, then it means the jump (03:00 EDT)', () => {
    const result = scheduledTime('02:30', Date.parse('2026-03-08T00:00-05:00'), { ...newYork, windows: [] });
    expect(result).toEqual({ ok: true, atMs: Date.parse('2026-03-08T03:00-04:00') });
    expect(firstInstantShowing({ year: 2026, month: 3, day: 8 }, 2, 30, 'America/New_York')).toBe(Date.parse('2026-03-08T07:00Z'));
  });

  it('when clocks go back, then a time shown twice is found twice and --at takes the next one', () => {
    // 2026-10-25: Berlin's clocks go from 03:00 CEST back to 02:00 CET
    const both = instantsShowing({ year: 2026, month: 10, day: 25 }, 2, 30, 'Europe/Berlin');
    expect(both.map((ms) => new Date(ms).toISOString())).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
    const between = Date.parse('2026-10-25T01:00Z');
    expect(scheduledTime('02:30', between, { timezone: 'Europe/Berlin', windows: [], freezes: [] })).toEqual({ ok: true, atMs: Date.parse('2026-10-25T01:30Z') });
    // a window 02:00–03:00 that night is open for both hours the clocks show it
    const berlin: MarketCalendar = { timezone: 'Europe/Berlin', windows: [{ days: 'Sun', from: '02:00', to: '03:00' }], freezes: [] };
    expect(allowedAt(Date.parse('2026-10-25T00:15Z'), berlin).ok).toBe(true);
    expect(allowedAt(Date.parse('2026-10-25T01:45Z'), berlin).ok).toBe(true);
    expect(allowedAt(Date.parse('2026-10-25T02:00Z'), berlin).ok).toBe(false);
  });

  it('when São Paulo still had daylight saving (clocks skipped 00:00–01:00 on 2018-11-04), then a window from 00:00 opens at the jump', () => {
    const saoPaulo: MarketCalendar = { timezone: 'America/Sao_Paulo', windows: [{ days: 'Sun', from: '00:00', to: '02:00' }], freezes: [] };
    const next = nextAllowed(Date.parse('2018-11-03T20:00-03:00'), saoPaulo, 2 * 24 * H)!;
    expect(new Date(next).toISOString()).toBe('2018-11-04T03:00:00.000Z'); // 01:00 -02:00, the first minute shown
  });
});

describe('windows and freezes', () => {
  const shanghai: MarketCalendar = { timezone: 'Asia/Shanghai', windows: [{ days: 'Mon-Thu', from: '02:00', to: '05:00' }, { days: 'Fri', from: '22:00', to: '01:00' }], freezes: [] };

  it('when a window runs past midnight, then its morning part belongs to the day it started', () => {
    expect(allowedAt(Date.parse('2026-12-05T00:30+08:00'), shanghai).ok).toBe(true); // Saturday 00:30, from Friday's window
    expect(allowedAt(Date.parse('2026-12-06T00:30+08:00'), shanghai).ok).toBe(false); // Sunday 00:30
    expect(allowedAt(Date.parse('2026-12-01T03:00+08:00'), shanghai).ok).toBe(true); // Tuesday 03:00
    expect(allowedAt(Date.parse('2026-12-01T05:00+08:00'), shanghai).ok).toBe(false);
  });

  it('when a freeze covers a window, then the freeze wins and the next start is after it', () => {
    const frozen = { ...shanghai, freezes: [{ fromMs: Date.parse('2026-12-01T00:00+08:00'), toMs: Date.parse('2026-12-01T04:00+08:00'), reason: 'launch', by: 'u1' }] };
    expect(allowedAt(Date.parse('2026-12-01T03:00+08:00'), frozen)).toMatchObject({ ok: false, kind: 'freeze', freeze: { reason: 'launch' } });
    expect(nextAllowed(Date.parse('2026-12-01T00:00+08:00'), frozen, 86_400_000)).toBe(Date.parse('2026-12-01T04:00+08:00'));
  });

  it('when --at is past or more than 30 days ahead, then it is refused', () => {
    const now = Date.parse('2026-12-01T00:00Z');
    const open: MarketCalendar = { timezone: 'UTC', windows: [], freezes: [] };
    expect(scheduledTime('2026-11-30T23:00Z', now, open)).toMatchObject({ ok: false, error: expect.stringContaining('past') });
    expect(scheduledTime('2027-01-02T00:00+00:00', now, open)).toMatchObject({ ok: false, error: expect.stringContaining('30 days') });
    expect(scheduledTime('2026-12-02T03:00+08:00', now, open)).toEqual({ ok: true, atMs: Date.parse('2026-12-01T19:00Z') });
    expect(scheduledTime('tomorrow', now, open)).toMatchObject({ ok: false });
  });

  it('when days are written in the usual ways, then they are read; other text is refused', () => {
    expect([...parseDays('Mon-Thu')!].sort()).toEqual([1, 2, 3, 4]);
    expect([...parseDays('Fri-Mon')!].sort()).toEqual([0, 1, 5, 6]);
    expect([...parseDays('sat,sun')!].sort()).toEqual([0, 6]);
    expect(parseDays('weekdays')).toBeUndefined();
    expect(parseDays('Mon-')).toBeUndefined();
  });
});

describe('scheduled deploys in the queue order', () => {
  const deploy = (id: string, createdAt: string, scheduledAt?: string) => ({ id, location: 'main', state: 'queued' as const, createdAt, ...(scheduledAt ? { scheduledAt } : {}) });

  it('when a deploy is scheduled for later, then it holds back no deploy requested before its time, and waits behind those once its time comes', () => {
    const scheduled = deploy('d-20261201-0001', '2026-12-01T10:00:00.000Z', '2026-12-01T08:00-03:00'); // 11:00 UTC
    const meanwhile = deploy('d-20261201-0002', '2026-12-01T10:30:00.000Z');
    expect(earliestAhead(meanwhile, [scheduled, meanwhile])).toBeUndefined();
    expect(earliestAhead(scheduled, [scheduled, meanwhile])).toBe(meanwhile.id);
    const after = deploy('d-20261201-0003', '2026-12-01T11:30:00.000Z');
    expect(earliestAhead(after, [scheduled, after])).toBe(scheduled.id);
  });

  it('when a deploy waits for its time, then it is parked for whoever waits on it; once the time passed it is not', () => {
    expect(isParked({ state: 'queued', scheduledAt: '2026-12-01T08:00-03:00' }, Date.parse('2026-12-01T10:59Z'))).toBe(true);
    expect(isParked({ state: 'queued', scheduledAt: '2026-12-01T08:00-03:00' }, Date.parse('2026-12-01T11:01Z'))).toBe(false);
    expect(isParked({ state: 'queued' }, 0)).toBe(false);
  });
});

describe('offset changes from any instant', () => {
  it('when the search starts at any millisecond up to 6 h before New York springs forward, then it finds that instant exactly (a start off the minute once looped for ever)', () => {
    const springForward = Date.parse('2026-03-08T07:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 * H }), (before) => {
        expect(offsetChanges(springForward - before, springForward + H, 'America/New_York')).toEqual([springForward]);
      }),
      { numRuns: 2000 },
    );
  });
});
