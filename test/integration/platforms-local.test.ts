// Several platforms per location (docs/platforms.md), end to end on local hosts: the real
// router and BullMQ workers on the real Redis, the embedded release store, real git builds,
// and a packager script that logs each run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import type { DeployNotice } from '../../src/deploy/deploy-notice.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';

let base: string;
let repo: TestRepo;
let config: Config;
let h: JobHarness;
const log = () => join(base, 'packager.log');

/** `platform from to` per packager run since the last call. */
function packagerRuns(): string[] {
  let text = '';
  try {
    text = readFileSync(log(), 'utf8');
  } catch {
    return [];
  }
  rmSync(log());
  return text.trim().split('\n').filter((l) => l !== '').sort();
}

async function sizeSpans(deployId: string): Promise<Extract<DeployNotice, { type: 'job.size-spans' }>> {
  const notice = (await h.jobs.rt.bus.notices(deployId)).find((n) => n.type === 'job.size-spans');
  if (!notice || notice.type !== 'job.size-spans') throw new Error(`no size-span table for ${deployId}`);
  return notice;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-platforms-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3', 'v4', 'v5'] });
  mkdirSync(join(base, 'bin'));
  // one line per run; iwx packages are 4000 bytes, iqq's to v3 300 bytes, all others 100
  writeFileSync(join(base, 'bin', 'packager.sh'), [
    '#!/bin/sh',
    `echo "$1 $2 $3" >> ${JSON.stringify(log())}`,
    'size=100; [ "$1" = iwx ] && size=4000; [ "$1" = iqq ] && [ "$3" = v3 ] && size=300',
    'head -c "$size" /dev/zero > "$4"',
    '',
  ].join('\n'), { mode: 0o755 });
  config = writeTestConfig(base, {
    people: { alice: { console: 'alice' } },
    hosts: Object.fromEntries(['lt-1', 'lt-gray', 'lt-rev'].map((host) => [host, { local: `hosts/${host}` }])),
    markets: {
      latam: {
        platforms: ['aqq', 'awx', 'iqq', 'iwx'],
        locations: {
          main: { role: 'production', hosts: ['lt-1', 'lt-gray'], grayHosts: ['lt-gray'] },
          appstore: { role: 'review', hosts: ['lt-rev'], platforms: ['iqq', 'iwx'] },
        },
      },
    },
    projects: {
      'mala-core': {
        repo: repo.dir,
        // the packager here is a test script outside the repository, so it runs unsandboxed
        build: { command: 'sh build.sh', output: 'dist', sandbox: 'off' },
        path: '/data/prod/mala-core',
        releasesDir: '/data/codes/mala-core',
        hostTimeout: '20s',
        packager: `${join(base, 'bin', 'packager.sh')} {platform} {from} {to} {out}`,
        markets: ['latam'],
      },
    },
  });
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var') });
}, 60_000);

afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('several platforms per location', () => {
  it('when a market has platforms, then a deploy records each platform, a review of appstore packages only iqq and iwx, and its promote reaches only their lists', async () => {
    const first = await h.settle(await h.request('alice', 'deploy mala-core latam v1'));
    expect(first.state).toBe('success');
    let production = (await h.jobs.rt.releases.read('mala-core', 'latam')).releases.production!;
    expect(production.platforms).toEqual({ aqq: ['v1'], awx: ['v1'], iqq: ['v1'], iwx: ['v1'] });
    expect(packagerRuns()).toEqual([]);

    const review = await h.settle(await h.request('alice', 'review start mala-core latam appstore v2'));
    expect(review.state).toBe('success');
    expect((await h.jobs.rt.releases.read('mala-core', 'latam')).releases['review-appstore']!.platforms).toEqual({ iqq: ['v2'], iwx: ['v2'] });
    expect(packagerRuns()).toEqual(['iqq v2 v1', 'iwx v2 v1']);

    const promote = await h.settle(await h.request('alice', 'review promote mala-core latam appstore'));
    expect(promote.state).toBe('success');
    const state = await h.jobs.rt.releases.read('mala-core', 'latam');
    production = state.releases.production!;
    expect(production.platforms).toEqual({ aqq: ['v1'], awx: ['v1'], iqq: ['v1', 'v2'], iwx: ['v1', 'v2'] });
    expect(production.versions).toEqual(['v1', 'v2']);
    expect(state.releases['review-appstore']).toBeUndefined();
    expect(packagerRuns()).toEqual(['iqq v1 v2', 'iwx v1 v2']);
    const table = await sizeSpans(promote.id);
    expect(table.report.rows.map((r) => r.line)).toEqual(['iqq: v1 → v2 : 100 B', 'iwx: v1 → v2 : 4.0 kB']);
  });

  it('when a deploy names --platforms, then only their lists gain the version, the packager runs once per pair and platform, and anomalies are judged within a platform', async () => {
    const answer = await h.say('alice', 'deploy mala-core latam v3 --platforms iqq,iwx');
    expect(answer.deployIds).toHaveLength(1);
    const record = await h.settle(answer.deployIds[0]!);
    expect(record.state).toBe('success');
    expect(record.platforms).toEqual(['iqq', 'iwx']);
    const production = (await h.jobs.rt.releases.read('mala-core', 'latam')).releases.production!;
    expect(production.platforms).toEqual({ aqq: ['v1'], awx: ['v1'], iqq: ['v1', 'v2', 'v3'], iwx: ['v1', 'v2', 'v3'] });
    expect(production.versions).toEqual(['v1', 'v2', 'v3']);
    expect(packagerRuns()).toEqual(['iqq v1 v3', 'iqq v2 v3', 'iwx v1 v3', 'iwx v2 v3']);
    const table = await sizeSpans(record.id);
    expect(table.report.rows.map((r) => [r.platform, r.from, r.to])).toEqual([['iqq', 'v1', 'v3'], ['iqq', 'v2', 'v3'], ['iwx', 'v1', 'v3'], ['iwx', 'v2', 'v3']]);
    // iqq's 300 B is 3× iqq's usual 100 B (flagged) though far below the project's median of
    // 2.05 kB; iwx's 4.0 kB is its own usual size (not flagged) though 2× that median
    expect(table.report.usualSizeByPlatform).toEqual({ iqq: 100, iwx: 4000 });
    expect(table.report.rows.map((r) => r.flags)).toEqual([['above_usual'], ['above_usual'], [], []]);
    expect(table.report.text).toContain('iqq: v1 → v3 : 300 B  ⚠ 3.0× the usual 100 B');
  });

  it('when status is asked for a market with platforms, then it shows each platform\'s versions and what a review serves there', async () => {
    expect((await h.settle(await h.request('alice', 'review start mala-core latam appstore v4'))).state).toBe('success');
    const answer = await h.say('alice', 'status mala-core latam');
    const text = [...answer.public.map((m) => m.text), ...answer.private].join('\n');
    expect(text).toContain('per platform (production versions, newest last):');
    expect(text).toContain('  aqq: v1\n');
    expect(text).toContain('  awx: v1\n');
    expect(text).toContain('  iqq: v1, v2, v3 · review-appstore: v4\n');
    expect(text).toContain('  iwx: v1, v2, v3 · review-appstore: v4');
  });

  it('when gray starts for some platforms and is promoted, then only those production lists gain its version and only they get packages', async () => {
    packagerRuns();
    const gray = await h.settle(await h.request('alice', 'gray start mala-core latam v5 --platforms aqq'));
    expect(gray.state).toBe('success');
    expect((await h.jobs.rt.releases.read('mala-core', 'latam')).releases.gray!.platforms).toEqual({ aqq: ['v5'] });
    const promote = await h.settle(await h.request('alice', 'gray promote mala-core latam'));
    expect(promote.state).toBe('success');
    const state = await h.jobs.rt.releases.read('mala-core', 'latam');
    expect(state.releases.gray).toBeUndefined();
    expect(state.releases.production!.platforms).toEqual({ aqq: ['v1', 'v5'], awx: ['v1'], iqq: ['v1', 'v2', 'v3'], iwx: ['v1', 'v2', 'v3'] });
    expect(state.releases.production!.versions).toEqual(['v1', 'v2', 'v3', 'v5']);
    expect(packagerRuns()).toEqual(['aqq v1 v5']);
  });

  it('when a deploy with --platforms is a dry run, then the plan names the platforms and nothing is queued', async () => {
    const answer = await h.say('alice', 'deploy mala-core latam v3 --platforms awx,aqq --dry-run');
    expect(answer.deployIds).toEqual([]);
    expect(answer.private.join('\n')).toContain('platforms: aqq, awx');
  });

  it('when --platforms names a platform the market does not have, then it is refused at once and nothing is queued', async () => {
    const answer = await h.say('alice', 'deploy mala-core latam v3 --platforms aqq,xyz');
    expect(answer.deployIds).toEqual([]);
    expect(answer.private.join('\n')).toContain('unknown platform "xyz"');
    expect(answer.private.join('\n')).toContain('aqq, awx, iqq, iwx');
  });
});
