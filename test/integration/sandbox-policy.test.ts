// Policy around repository code (docs/operations.md, "Repository code is sandboxed";
// docs/configuration.md, allowedRefs): no sandbox → no build, saying why, unless the project
// set `build.sandbox: off`; requiresPassIn refuses before any hook runs; a ref outside
// allowedRefs is refused at once with the list and nothing queued. Real Redis, git, bwrap
// and local hosts through the job layer.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';

let base: string;
let repo: TestRepo;
const harnesses: JobHarness[] = [];
const outcome = (r: { state: string; reason?: string }) => ({ state: r.state, reason: r.reason });
const HOOKS = { afterDownload: 'id -u > hook-uid.txt', afterDeploy: 'echo "$DEPLOY_ID" >> ../after-deploy.log' };
const BUILD = 'sh build.sh && cp hook-uid.txt dist/';

/** A bot of its own (data directory, Redis prefix, config dir) on the shared Redis. */
async function bot(name: string, project: Record<string, unknown> = {}, change: (document: any) => void = () => undefined, sandbox?: { bwrapPath: string }): Promise<{ h: JobHarness; dir: string; config: Config }> {
  const dir = join(base, name);
  mkdirSync(dir);
  const written = marketTestConfig(dir, repo.dir, { hooks: HOOKS, build: { command: BUILD, output: 'dist' }, ...project });
  const document = JSON.parse(readFileSync(written.file, 'utf8'));
  change(document);
  const changed = writeTestConfig(dir, document);
  const h = await startJobHarness({ config: changed, redisUrl: inject('redisUrl'), dataDir: join(dir, 'var'), prefix: `sbxp${randomUUID().slice(0, 8)}`, ...(sandbox ? { sandbox } : {}) });
  harnesses.push(h);
  return { h, dir, config: changed };
}

const builds = (dir: string) => (existsSync(join(dir, 'var/builds/mala-core')) ? readdirSync(join(dir, 'var/builds/mala-core')) : []);

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-sandbox-policy-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2'] });
});

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('no sandbox', () => {
  it('when bwrap cannot be found, then the deploy is refused naming why, no build directory is made and no hook runs', async () => {
    const missing = join(base, 'no-such-dir', 'bwrap');
    const { h, dir } = await bot('missing', {}, () => undefined, { bwrapPath: missing });
    const id = await h.request('alice', 'deploy mala-core dev v1');
    const record = await h.settle(id);
    expect(record.state).toBe('refused');
    expect(record.reason).toContain(`bubblewrap is not installed (no ${missing}`);
    expect(record.reason).toContain('projects.mala-core.build.sandbox: off');
    expect(builds(dir)).toEqual([]);
    expect((await h.jobs.rt.bus.notices(id)).filter((n) => n.type === 'hook.finished')).toEqual([]);
    expect(existsSync(join(dir, 'hosts/dev-1/data/prod/mala-core'))).toBe(false);
  });

  it('when the project sets build.sandbox: off, then it builds without one (as the bot\'s own user) and deploys', async () => {
    const { h, dir, config } = await bot('off', { build: { command: BUILD, output: 'dist', sandbox: 'off' } }, () => undefined, { bwrapPath: join(base, 'no-such-dir', 'bwrap') });
    expect(config.projects['mala-core']!.build.sandbox).toBe('off');
    const record = await h.settle(await h.request('alice', 'deploy mala-core dev v1'));
    expect(outcome(record)).toEqual({ state: 'success', reason: undefined });
    expect(readFileSync(join(dir, 'hosts/dev-1/data/prod/mala-core/hook-uid.txt'), 'utf8').trim()).toBe(String(process.getuid!()));
    expect(readFileSync(join(dir, 'hosts/dev-1/data/codes/mala-core/after-deploy.log'), 'utf8').trim()).toBe(record.id);
  });
});

describe('policy before repository code', () => {
  it('when requiresPassIn refuses a commit, then no hook ran, no build directory exists and no build step started', async () => {
    const { h, dir } = await bot('passin');
    const id = await h.request('alice', 'deploy mala-core brazil v2');
    const record = await h.settle(id);
    expect(outcome(record)).toEqual({ state: 'refused', reason: `commit ${repo.commits.v2!.slice(0, 7)} (v2) has not deployed successfully on dev yet (requiresPassIn: dev); deploy it there first` });
    const notices = await h.jobs.rt.bus.notices(id);
    expect(notices.filter((n) => n.type === 'hook.finished')).toEqual([]);
    expect(notices.filter((n) => n.type === 'step.started').map((n) => (n as { step: string }).step)).toEqual(['resolve']);
    expect(builds(dir)).toEqual([]);
    expect(existsSync(join(dir, 'var/packages'))).toBe(false);

    // once dev passed, the same commit builds in brazil (and the card is asked for)
    expect(outcome(await h.settle(await h.request('alice', 'deploy mala-core dev v2')))).toEqual({ state: 'success', reason: undefined });
    expect(builds(dir)).toHaveLength(1);
    expect((await h.settle(await h.request('alice', 'deploy mala-core brazil v2'))).state).toBe('awaiting-approval');
  });
});

describe('allowedRefs', () => {
  it('when a ref is outside the market\'s allowedRefs, then deploy, gray start and review start are refused at once with the list, and nothing is recorded or queued', async () => {
    const { h } = await bot('refs', {}, (d) => void (d.markets.brazil.allowedRefs = ['v*', 'release/*']));
    const { rt } = h.jobs;
    // every job in the queue, whatever its state, but the bot's own periodic ones (a scheduler adds the next as one runs)
    const jobs = async () => (await rt.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'waiting-children'])).filter((job) => !job.repeatJobKey).length;
    const before = { jobs: await jobs(), records: await rt.records.history('mala-core', 'brazil', 100) };
    for (const command of [
      'deploy mala-core brazil feature/x',
      'gray start mala-core brazil feature/x',
      'review start mala-core brazil appstore feature/x',
      `deploy mala-core brazil ${repo.commits.v1}`,
      `deploy mala-core brazil ${repo.commits.v1!.slice(0, 7)}`,
      'deploy mala-core brazil release/2026/12',
    ]) {
      const answer = await h.say('alice', command);
      const ref = command.split(' ').pop();
      expect(answer.deployIds, command).toEqual([]);
      expect(answer.private, command).toEqual([`Refused: ref "${ref}" is not allowed in brazil; allowedRefs: v*, release/*. Nothing was queued.`]);
    }
    expect(await jobs()).toBe(before.jobs);
    expect(await rt.records.history('mala-core', 'brazil', 100)).toEqual(before.records);
    const audit = await rt.audit.recent(20, (e) => e.action === 'refused');
    expect(audit.map((e) => e.detail)).toContain('ref "feature/x" is not allowed in brazil; allowedRefs: v*, release/*');

    // a matching ref is accepted there, and a market without the list takes any ref
    expect((await h.say('alice', 'deploy mala-core brazil v1')).deployIds).toHaveLength(1);
    const dev = await h.request('alice', 'deploy mala-core dev feature/x');
    expect((await h.settle(dev)).state).toBe('success');
  });

  it('when the list has `sha`, then a bare commit SHA is accepted', async () => {
    const { h } = await bot('sha', {}, (d) => void (d.markets.brazil.allowedRefs = ['v*', 'sha']));
    expect((await h.say('alice', `deploy mala-core brazil ${repo.commits.v1}`)).deployIds).toHaveLength(1);
    expect((await h.say('alice', 'deploy mala-core brazil feature/x')).private[0]).toContain('allowedRefs: v*, sha');
  });
});
