// Properties of planSync (src/domain/plan-sync.ts): which hosts `sync` changes, and to what.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostsDriftedWarning } from '../../src/domain/drift-warning.ts';
import { describeSyncHost, planSync, type SyncReading } from '../../src/domain/plan-sync.ts';
import type { MarketReleases } from '../../src/domain/release-state.ts';

const COMMIT_PROD = 'a'.repeat(40);
const COMMIT_GRAY = 'b'.repeat(40);
const PROD_ID = 'v2-20261121093000-aaaaaaa';
const GRAY_ID = 'v3-20261121094000-bbbbbbb';
const OTHER_IDS = ['v1-20261120093000-ccccccc', 'v0-20261119093000-ddddddd'];

function state(options: { gray: boolean; releaseIds: boolean }): MarketReleases {
  const current = (version: string, commit: string, releaseId: string) => ({ version, commit, deployId: 'd-20261121-0001', at: '2026-11-21T09:30:00.000Z', by: 'slack:U1', ...(options.releaseIds ? { releaseId, sha256: 'c'.repeat(64) } : {}) });
  return {
    project: 'p',
    market: 'm',
    defaultRelease: 'production',
    releases: {
      production: { name: 'production', versions: ['v2'], servers: [], current: current('v2', COMMIT_PROD, PROD_ID), config: {} },
      ...(options.gray ? { gray: { name: 'gray', versions: ['v3'], servers: [], current: current('v3', COMMIT_GRAY, GRAY_ID), config: {} } } : {}),
    },
  };
}

const hosts = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
const location = (grayHosts: string[]) => ({ name: 'main', role: 'production' as const, hosts, grayHosts });

/** A host's reading: on some release id (present or not), nothing online, or unreachable. */
const reading = (host: string) =>
  fc.oneof(
    fc.record({ releaseId: fc.constantFrom(PROD_ID, GRAY_ID, ...OTHER_IDS), present: fc.boolean() }).map((r): SyncReading => ({ host, ...r })),
    fc.constant<SyncReading>({ host }),
    fc.constant<SyncReading>({ host, error: 'connect ECONNREFUSED' }),
  );
const readings = fc.tuple(...hosts.map(reading));
const grayHosts = fc.subarray(hosts, { maxLength: 2 });

describe('planSync (properties)', () => {
  it('for any readings, then a host changes iff it is readable and not on its recorded release id with the directory present, and gets exactly that id', () => {
    fc.assert(
      fc.property(readings, grayHosts, fc.boolean(), (read, gray, grayActive) => {
        const plan = planSync({ state: state({ gray: grayActive, releaseIds: true }), locations: [location(gray)], readings: read });
        for (const r of read) {
          const expected = grayActive && gray.includes(r.host) ? GRAY_ID : PROD_ID;
          const row = plan.hosts.find((h) => h.host === r.host)!;
          const on = r.error === undefined && r.releaseId === expected && r.present !== false;
          const changes = r.error === undefined && !on;
          expect(plan.changes.some((c) => c.host === r.host)).toBe(changes);
          if (changes) expect(row.releaseId).toBe(expected);
          if (r.error !== undefined) expect(row.state).toBe('unknown');
          if (on) expect(row.state).toBe('on');
        }
        // every changed host is in exactly one group, whose release id is its recorded one
        const grouped = plan.groups.flatMap((g) => g.hosts.map((host) => [host, g.releaseId]));
        expect(grouped.map(([host]) => host).sort()).toEqual(plan.changes.map((c) => c.host).sort());
        for (const [host, id] of grouped) expect(id).toBe(plan.hosts.find((h) => h.host === host)!.releaseId);
      }),
    );
  });

  it('for any readings and --hosts, then only the named hosts are planned', () => {
    fc.assert(
      fc.property(readings, fc.subarray(hosts), (read, only) => {
        const plan = planSync({ state: state({ gray: false, releaseIds: true }), locations: [location([])], readings: read, only });
        expect(plan.hosts.map((h) => h.host)).toEqual(only);
      }),
    );
  });

  it('for a record without release ids, then readable hosts are not checked unless a fallback id is given', () => {
    fc.assert(
      fc.property(readings, (read) => {
        const without = planSync({ state: state({ gray: false, releaseIds: false }), locations: [location([])], readings: read });
        expect(without.changes).toEqual([]);
        expect(without.hosts.every((h) => h.state === 'unknown')).toBe(true);
        const withFallback = planSync({ state: state({ gray: false, releaseIds: false }), locations: [location([])], readings: read, fallbackReleaseIds: { production: PROD_ID } });
        expect(withFallback.changes.map((c) => c.host)).toEqual(read.filter((r) => r.error === undefined && (r.releaseId !== PROD_ID || r.present === false)).map((r) => r.host));
      }),
    );
  });
});

describe('planSync (examples)', () => {
  it('when one host drifted, one lost its directory and one is new, then each is named with what it gets', () => {
    const plan = planSync({
      state: state({ gray: false, releaseIds: true }),
      locations: [location([])],
      readings: [
        { host: 'h1', releaseId: OTHER_IDS[0]!, present: true },
        { host: 'h2', releaseId: PROD_ID, present: false },
        { host: 'h3', releaseId: PROD_ID, present: true },
        { host: 'h4' },
      ],
      only: ['h1', 'h2', 'h3', 'h4'],
    });
    expect(plan.changes.map(describeSyncHost)).toEqual([
      `h1: drifted from ${PROD_ID} (production) to ${OTHER_IDS[0]}`,
      `h2: ${PROD_ID} (production) is missing on disk`,
      `h4: new, gets ${PROD_ID} (production)`,
    ]);
    expect(plan.groups).toEqual([{ location: 'main', release: 'production', releaseId: PROD_ID, version: 'v2', commit: COMMIT_PROD, sha256: 'c'.repeat(64), hosts: ['h1', 'h2', 'h4'] }]);
    const warning = hostsDriftedWarning({ project: 'p', market: 'm', changes: plan.changes });
    expect(warning.message).toContain('3 host(s) differ');
    expect(warning.message).toContain('run `sync p m`');
  });

  it('when a review location has no review release, then its hosts are idle and never changed', () => {
    const plan = planSync({
      state: state({ gray: false, releaseIds: true }),
      locations: [{ name: 'appstore', role: 'review', hosts: ['r1'], grayHosts: [] }],
      readings: [{ host: 'r1' }],
    });
    expect(plan.hosts).toEqual([{ host: 'r1', location: 'appstore', state: 'idle' }]);
    expect(plan.changes).toEqual([]);
  });
});
