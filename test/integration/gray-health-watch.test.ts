// Gray start checks its gray hosts and rolls itself back when they fail; while gray is active,
// the periodic gray watch runs the health checks every `warnings.grayHealthEvery` and posts one
// warning per failure streak (docs/configuration.md, "Health and rollout", "warnings").
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { watchGrayReleases } from '../../src/app/gray-watch.ts';
import { GRAY_RELEASE } from '../../src/domain/release-names.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

let base: string;
let h: JobHarness;
let server: Server;
let now = Date.now();
/** What the health endpoint answers per host. */
const unhealthy = new Set<string>();

const online = (host: string) => basename(readlinkSync(join(base, 'hosts', host, 'data/prod/mala-core')));

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-grayhealth-'));
  const repo = makeGitRepo(join(base, 'repo'));
  server = createServer((req, res) => {
    const host = (req.url ?? '').split('/')[1] ?? '';
    res.writeHead(unhealthy.has(host) ? 500 : 200).end(unhealthy.has(host) ? 'down\n' : 'up\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config = marketTestConfig(base, repo.dir, { health: [{ http: `http://{address}:${port}/{host}/healthz`, timeout: '2s' }], rollout: { interval: '100ms' } }, { warnings: { grayHealthEvery: '1s' } });
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), now: () => new Date(now) });
  await h.settle(await h.request('alice', 'deploy mala-core dev v1'));
  await h.settle(await h.request('alice', 'deploy mala-core dev v2'));
  const production = await h.request('alice', 'deploy mala-core brazil v1');
  await h.settle(production);
  await h.say('bob', `approve ${production}`);
  expect((await h.settle(production)).state).toBe('success');
}, 120_000);

afterAll(async () => {
  server?.close();
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

it('when gray start\'s gray host fails its check, then gray rolls itself back: the host serves production\'s release and no gray is recorded', async () => {
  const production = online('br-gray');
  unhealthy.add('br-gray');
  try {
    const gray = await h.request('alice', 'gray start mala-core brazil v2');
    await h.settle(gray);
    await h.say('bob', `approve ${gray}`);
    const ended = await h.settle(gray);
    expect(ended.state).toBe('rolled-back');
    expect(ended.reason).toContain('br-gray: http');
    expect(online('br-gray')).toBe(production);
    const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
    expect(state.releases[GRAY_RELEASE]?.current).toBeUndefined();
  } finally {
    unhealthy.clear();
  }
}, 120_000);

it('when an active gray host starts failing, then one warning is posted for the streak; a pass ends it and the next failure warns again', async () => {
  const gray = await h.request('alice', 'gray start mala-core brazil v2');
  await h.settle(gray);
  await h.say('bob', `approve ${gray}`);
  expect((await h.settle(gray)).state).toBe('success');
  const healthWarnings = async () => (await h.jobs.rt.bus.notices(gray)).filter((n) => n.type === 'job.warning' && n.warning.kind === 'gray_unhealthy');
  const round = async () => {
    now += 2_000; // past grayHealthEvery
    return watchGrayReleases(h.jobs.rt);
  };

  expect((await round()).filter((w) => w.kind === 'gray_unhealthy')).toEqual([]);
  unhealthy.add('br-gray');
  // within grayHealthEvery of the last round: no check runs
  expect(await watchGrayReleases(h.jobs.rt)).toEqual([]);
  const first = (await round()).filter((w) => w.kind === 'gray_unhealthy');
  expect(first.map((w) => w.details.host)).toEqual(['br-gray']);
  expect(first[0]!.message).toContain('HTTP 500');
  expect((await round()).filter((w) => w.kind === 'gray_unhealthy')).toEqual([]);
  unhealthy.clear();
  expect((await round()).filter((w) => w.kind === 'gray_unhealthy')).toEqual([]);
  unhealthy.add('br-gray');
  expect((await round()).filter((w) => w.kind === 'gray_unhealthy').map((w) => w.details.host)).toEqual(['br-gray']);
  expect(await healthWarnings()).toHaveLength(2);
  unhealthy.clear();
}, 120_000);
