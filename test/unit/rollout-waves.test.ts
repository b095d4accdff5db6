// Wave planning and the failure rule of a progressive rollout (src/domain/plan-waves.ts,
// src/domain/rollout-failed.ts), for 1–2 000 hosts and every count/percentage form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterRound, type CheckOutcome, settled, switchedHealth } from '../../src/domain/host-health.ts';
import { planWaves } from '../../src/domain/plan-waves.ts';
import { rolloutFailed, unhealthyTolerated } from '../../src/domain/rollout-failed.ts';
import { hostsFor, parseRolloutSize, type RolloutSize } from '../../src/domain/rollout-size.ts';

const hostsArb = fc.integer({ min: 1, max: 2000 }).map((n) => Array.from({ length: n }, (_, i) => `h${i + 1}`));
const countArb = fc.integer({ min: 1, max: 2500 }).map((count): RolloutSize => ({ kind: 'count', count }));
const percentArb = fc.integer({ min: 1, max: 10_000 }).map((hundredths): RolloutSize => ({ kind: 'percent', hundredths }));
const sizeArb = fc.oneof(countArb, percentArb);
const wavesOf = (sizes: (number | string)[], n: number) => planWaves(Array.from({ length: n }, (_, i) => i + 1), sizes.map((s) => parseRolloutSize(s)!)).map((w) => w.length);

describe('planWaves (properties)', () => {
  it('for any hosts and sizes, then every host is in exactly one wave, in config order, and no wave is empty', () => {
    fc.assert(
      fc.property(hostsArb, fc.array(sizeArb, { maxLength: 8 }), (hosts, sizes) => {
        const waves = planWaves(hosts, sizes);
        expect(waves.flat()).toEqual(hosts);
        for (const wave of waves) expect(wave.length).toBeGreaterThan(0);
      }),
    );
  });

  it('for any hosts and sizes, then each wave ends where its size (cumulative, rounded up) says, unless an earlier size reached further', () => {
    fc.assert(
      fc.property(hostsArb, fc.array(sizeArb, { maxLength: 8 }), (hosts, sizes) => {
        const ends = planWaves(hosts, sizes).map((_, i, all) => all.slice(0, i + 1).flat().length);
        let reached = 0;
        const expected: number[] = [];
        for (const size of sizes) {
          const upTo = Math.max(reached, hostsFor(size, hosts.length));
          if (upTo > reached) expected.push(upTo);
          reached = upTo;
        }
        if (reached < hosts.length) expected.push(hosts.length);
        expect(ends).toEqual(expected);
      }),
    );
  });

  it('for a percentage p of n hosts, then the first wave is the smallest count that is at least p % of n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), percentArb, (n, size) => {
        const first = wavesOf([`${(size as { hundredths: number }).hundredths / 100}%`], n)[0]!;
        const p = (size as { hundredths: number }).hundredths;
        expect(first * 10_000).toBeGreaterThanOrEqual(n * p);
        expect((first - 1) * 10_000).toBeLessThan(n * p);
      }),
    );
  });

  it('when no waves are configured, then one wave holds every host (today\'s behaviour)', () => {
    fc.assert(fc.property(hostsArb, (hosts) => {
      expect(planWaves(hosts, [])).toEqual([hosts]);
    }));
  });
});

describe('planWaves (fixed cases)', () => {
  it('when 20 hosts roll out at 30 % steps (Ansible serial: "30%"), then the waves are 6, 6, 6, 2', () => {
    expect(wavesOf(['30%', '60%', '90%'], 20)).toEqual([6, 6, 6, 2]);
  });

  it('when 9 hosts roll out half at a time (CodeDeploy HalfAtATime), then [50%] rounds up to 5 then 4, and counts [4, 8] give CodeDeploy\'s rounded-down 4, 4, 1', () => {
    expect(wavesOf(['50%'], 9)).toEqual([5, 4]);
    expect(wavesOf([4, 8], 9)).toEqual([4, 4, 1]);
  });

  it('when the documented example [1, 25%, 100%] meets 16 hosts, then the waves are 1, 3, 12; sizes past the end are dropped', () => {
    expect(wavesOf([1, '25%', '100%'], 16)).toEqual([1, 3, 12]);
    expect(wavesOf([1, '25%'], 1)).toEqual([1]);
    expect(wavesOf([5, 3, '10%'], 10)).toEqual([5, 5]);
  });
});

describe('rolloutFailed (properties)', () => {
  it('for a count c, then it fails exactly when more than c hosts are unhealthy', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 2000 }), (targeted, c, unhealthy) => {
        const u = Math.min(unhealthy, targeted);
        expect(rolloutFailed(u, targeted, { kind: 'count', count: c })).toBe(u > c);
      }),
    );
  });

  it('for a percentage, then it fails exactly when the unhealthy share is more than it — at the tolerated count it holds, one more fails', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 2000 }), (targeted, hundredths, unhealthy) => {
        const size: RolloutSize = { kind: 'percent', hundredths };
        const u = Math.min(unhealthy, targeted);
        expect(rolloutFailed(u, targeted, size)).toBe(u / targeted > hundredths / 10_000 + 1e-12 || (u * 10_000 > hundredths * targeted));
        const tolerated = unhealthyTolerated(targeted, size);
        expect(rolloutFailed(tolerated, targeted, size)).toBe(false);
        expect(rolloutFailed(tolerated + 1, targeted, size)).toBe(true);
      }),
    );
  });

  it('when maxUnhealthy is 0 (the default), then one unhealthy host fails the rollout and none does not', () => {
    expect(rolloutFailed(0, 16, { kind: 'count', count: 0 })).toBe(false);
    expect(rolloutFailed(1, 16, { kind: 'count', count: 0 })).toBe(true);
    expect(rolloutFailed(2, 20, parseRolloutSize('10%', { allowZero: true })!)).toBe(false);
    expect(rolloutFailed(3, 20, parseRolloutSize('10%', { allowZero: true })!)).toBe(true);
  });
});

describe('parseRolloutSize', () => {
  it('when sizes are written as counts or percentages, then they parse; zero, fractions of hosts and over 100 % do not', () => {
    expect(parseRolloutSize(1)).toEqual({ kind: 'count', count: 1 });
    expect(parseRolloutSize('25%')).toEqual({ kind: 'percent', hundredths: 2500 });
    expect(parseRolloutSize('12.5%')).toEqual({ kind: 'percent', hundredths: 1250 });
    expect(parseRolloutSize('4')).toEqual({ kind: 'count', count: 4 });
    for (const bad of [0, 1.5, -1, '0%', '101%', 'half', '']) expect(parseRolloutSize(bad)).toBeUndefined();
    expect(parseRolloutSize(0, { allowZero: true })).toEqual({ kind: 'count', count: 0 });
    expect(parseRolloutSize('0%', { allowZero: true })).toEqual({ kind: 'percent', hundredths: 0 });
  });
});

describe('host health (properties)', () => {
  const round = (ok: boolean, failureLimit: number): CheckOutcome[] => [{ check: 'command c', ok, failureLimit, outputTail: ok ? [] : ['bad'] }];

  it('for any run of results, then a host is unhealthy exactly when failureLimit + 1 failures came in a row, and stays so', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 5 }), (results, limit) => {
        let health = switchedHealth(0);
        let streak = 0;
        let failedAt: number | undefined;
        results.forEach((ok, i) => {
          health = afterRound(health, round(ok, limit), i + 1, 1e9);
          streak = ok ? 0 : streak + 1;
          if (failedAt === undefined && streak > limit) failedAt = i + 1;
        });
        expect(health.unhealthy?.at).toBe(failedAt);
        if (failedAt === undefined) expect(health.passedAt !== undefined || results.every((ok) => !ok)).toBe(true);
      }),
    );
  });

  it('for a check that never answers a pass, then the host is unhealthy at healthTimeout, never before and never later than the first round after it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 10 }), (timeout, step) => {
        let health = switchedHealth(0);
        let now = 0;
        while (!health.unhealthy) {
          now += step;
          health = afterRound(health, round(false, 1_000), now, timeout);
          if (now < timeout) expect(health.unhealthy).toBeUndefined();
        }
        expect(now).toBeGreaterThanOrEqual(timeout);
        expect(now).toBeLessThan(timeout + step);
        expect(health.unhealthy!.check).toContain('healthTimeout');
        expect(settled(health)).toBe(true);
      }),
    );
  });

  it('when there are no checks, then a host passes its first round', () => {
    expect(settled(afterRound(switchedHealth(0), [], 1, 10))).toBe(true);
    expect(afterRound(switchedHealth(0), [], 1, 10).unhealthy).toBeUndefined();
  });
});
