// The DORA figures of a project × market from hand-made histories, the expected figures
// worked out here by hand; and their invariants over any history (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { doraByLocation, doraFigures, type DoraDeploy } from '../../src/domain/dora-figures.ts';

const H = 3600_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * H).toISOString();
const where = { project: 'mala-core', market: 'brazil' };
let n = 0;
function deploy(partial: Partial<DoraDeploy> & { finishedHoursAgo: number }): DoraDeploy {
  n += 1;
  const { finishedHoursAgo, ...rest } = partial;
  return { id: `d-${String(n).padStart(4, '0')}`, ...where, verb: 'deploy', release: 'production', state: 'success', finishedAt: at(finishedHoursAgo), ...rest };
}

describe('doraFigures', () => {
  it('when three deploys succeed in 30 days, then frequency is 3 / 30 per day and lead time is the median of commit → finish', () => {
    const history = [
      deploy({ finishedHoursAgo: 100, commitAt: at(102) }), // 2 h
      deploy({ finishedHoursAgo: 50, commitAt: at(60) }), // 10 h
      deploy({ finishedHoursAgo: 10, commitAt: at(14) }), // 4 h
    ];
    const figures = doraFigures(history, where, NOW, 30);
    expect(figures.deployments).toBe(3);
    expect(figures.perDay).toBeCloseTo(0.1);
    expect(figures.leadTime).toEqual({ medianMs: 4 * H, samples: 3 });
    expect(figures.changeFailure).toEqual({ failed: 0, total: 3, rate: 0 });
    expect(figures.recovery).toEqual({ samples: 0, unrecovered: 0 });
  });

  it('when a successful deploy is rolled back within 24 h, then it counts as failed, and the rollback is its recovery', () => {
    const good = deploy({ finishedHoursAgo: 200 });
    const bad = deploy({ finishedHoursAgo: 100 });
    const rollback = deploy({ verb: 'rollback', finishedHoursAgo: 95 }); // 5 h later
    const later = deploy({ finishedHoursAgo: 50 });
    const figures = doraFigures([later, rollback, bad, good], where, NOW, 30);
    expect(figures.changeFailure).toEqual({ failed: 1, total: 3, rate: 1 / 3 });
    expect(figures.deployments).toBe(3); // rollbacks are not deployments; the rolled-back one still ended success
    expect(figures.recovery).toEqual({ medianMs: 5 * H, samples: 1, unrecovered: 0 });
  });

  it('when the rollback comes more than 24 h after the deploy, then the deploy is not counted as failed', () => {
    const history = [deploy({ finishedHoursAgo: 100 }), deploy({ verb: 'rollback', finishedHoursAgo: 75 })];
    expect(doraFigures(history, where, NOW, 30).changeFailure).toEqual({ failed: 0, total: 1, rate: 0 });
  });

  it('when a deploy fails and a rollback follows, then the recovery time runs from the failure to the rollback', () => {
    const history = [
      deploy({ finishedHoursAgo: 300 }),
      deploy({ state: 'failed', finishedHoursAgo: 48 }),
      deploy({ verb: 'rollback', finishedHoursAgo: 46 }), // 2 h
      deploy({ state: 'partial', finishedHoursAgo: 20 }),
      deploy({ finishedHoursAgo: 14 }), // 6 h
      deploy({ state: 'failed', finishedHoursAgo: 1 }), // nothing after it yet
    ];
    const figures = doraFigures(history, where, NOW, 30);
    expect(figures.changeFailure).toEqual({ failed: 3, total: 5, rate: 3 / 5 });
    expect(figures.recovery).toEqual({ medianMs: 4 * H, samples: 2, unrecovered: 1 }); // median of 2 h and 6 h
  });

  it('when a deploy fails soon after a good one and a rollback follows, then only the failed one counts: the rollback recovers it, it does not undo the good one', () => {
    const history = [deploy({ finishedHoursAgo: 30 }), deploy({ state: 'failed', finishedHoursAgo: 20 }), deploy({ verb: 'rollback', finishedHoursAgo: 19 })];
    const figures = doraFigures(history, where, NOW, 30);
    expect(figures.changeFailure).toEqual({ failed: 1, total: 2, rate: 1 / 2 });
    expect(figures.recovery).toEqual({ medianMs: 1 * H, samples: 1, unrecovered: 0 });
  });

  it('when deploys are outside the window, of another location or release, or did not run, then they are not counted', () => {
    const history = [
      deploy({ finishedHoursAgo: 24 * 31 }),
      deploy({ market: 'chile', finishedHoursAgo: 5 }),
      deploy({ release: 'gray', finishedHoursAgo: 5 }),
      deploy({ state: 'refused', finishedHoursAgo: 5 }),
      deploy({ state: 'rejected', finishedHoursAgo: 5 }),
      deploy({ state: 'running', finishedHoursAgo: 5 }),
      deploy({ finishedHoursAgo: 5 }),
    ];
    const figures = doraFigures(history, where, NOW, 30);
    expect(figures.deployments).toBe(1);
    expect(figures.changeFailure.total).toBe(1);
  });

  it('when nothing ran, then the rate and medians are absent rather than zero', () => {
    const figures = doraFigures([], where, NOW, 7);
    expect(figures).toEqual({ ...where, days: 7, deployments: 0, perDay: 0, leadTime: { samples: 0 }, changeFailure: { failed: 0, total: 0 }, recovery: { samples: 0, unrecovered: 0 } });
  });

  it('doraByLocation gives one row per project × market with production deploys, sorted', () => {
    const rows = doraByLocation([deploy({ market: 'chile', finishedHoursAgo: 3 }), deploy({ finishedHoursAgo: 2 }), deploy({ project: 'api', finishedHoursAgo: 1 })], NOW, 30);
    expect(rows.map((r) => `${r.project}/${r.market}`)).toEqual(['api/brazil', 'mala-core/brazil', 'mala-core/chile']);
  });
});

describe('doraFigures (properties)', () => {
  const anyDeploy = fc.record({
    verb: fc.constantFrom('deploy', 'deploy', 'rollback', 'gray promote', 'retry'),
    release: fc.constantFrom('production', 'production', 'gray'),
    state: fc.constantFrom('success', 'success', 'failed', 'partial', 'rolled-back', 'cancelled', 'refused'),
    finishedHoursAgo: fc.integer({ min: -5, max: 24 * 40 }),
    commitHoursBefore: fc.option(fc.integer({ min: 0, max: 100 })),
  });

  it('for any history, then the rate is in [0, 1], failures never exceed deploys, and the recovery counts add up to the failures', () => {
    fc.assert(
      fc.property(fc.array(anyDeploy, { maxLength: 40 }), fc.integer({ min: 1, max: 60 }), (rows, days) => {
        const history = rows.map((r, i) => ({
          id: `d-${i}`,
          ...where,
          verb: r.verb,
          release: r.release,
          state: r.state,
          finishedAt: at(r.finishedHoursAgo),
          ...(r.commitHoursBefore !== null ? { commitAt: at(r.finishedHoursAgo + r.commitHoursBefore) } : {}),
        }));
        const f = doraFigures(history, where, NOW, days);
        expect(f.changeFailure.failed).toBeLessThanOrEqual(f.changeFailure.total);
        if (f.changeFailure.rate !== undefined) {
          expect(f.changeFailure.rate).toBeGreaterThanOrEqual(0);
          expect(f.changeFailure.rate).toBeLessThanOrEqual(1);
        } else expect(f.changeFailure.total).toBe(0);
        expect(f.recovery.samples + f.recovery.unrecovered).toBe(f.changeFailure.failed);
        expect(f.deployments).toBeLessThanOrEqual(f.changeFailure.total);
        expect(f.leadTime.samples).toBeLessThanOrEqual(f.deployments);
        if (f.leadTime.medianMs !== undefined) expect(f.leadTime.medianMs).toBeGreaterThanOrEqual(0);
        if (f.recovery.medianMs !== undefined) expect(f.recovery.medianMs).toBeGreaterThan(0);
      }),
    );
  });
});
