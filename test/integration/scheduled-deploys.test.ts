// Time (docs/scheduling.md): `--at` scheduled deploys run at their time from a delayed job
// in Redis, across a worker SIGKILLed and replaced meanwhile; a cancelled one never runs; one
// approved in advance runs without another click; freezes (config and chat) refuse what
// changes production but not the ways back; windows refuse outside and `--at next-window`
// schedules at the next start. Workers are separate processes on local hosts.
import { mkdtempSync, readFileSync, realpathSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { inState, waitForDeploy } from '../../src/app/wait-for-deploy.ts';
import { type DeployRecord, isTerminal } from '../../src/domain/deploy-record.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';
import { startWorkerProcess, type WorkerProcess } from '../fixtures/worker-process.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';

let base: string;
let repo: TestRepo;
let config: Config;
let h: JobHarness;
const workers: WorkerProcess[] = [];
const prefix = `time${process.pid}`;
const pad = (n: number) => String(n).padStart(2, '0');

const online = (host: string) => (existsSync(join(base, 'hosts', host, 'data/prod/mala-core')) ? basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core'))) : 'none');
const sha7 = (tag: string) => repo.commits[tag]!.slice(0, 7);
const outcome = (r: DeployRecord) => ({ state: r.state, reason: r.reason });
/** `--at` for `seconds` from now, as an ISO time with São Paulo's offset (dev's clocks). */
const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000 - 3 * 3_600_000).toISOString().slice(0, 19) + '-03:00';
/** Until it ends (a scheduled deploy counts as settled while it waits for its time). */
const settle = (id: string) => waitForDeploy(h.jobs.rt, id, (r) => isTerminal(r.state), 150_000);
const text = (answer: { private: string[]; public: { text: string }[] }) => [...answer.private, ...answer.public.map((m) => m.text)].join(' | ');

async function worker(): Promise<WorkerProcess> {
  const started = await startWorkerProcess({ REDIS_URL: inject('redisUrl'), DEPLOYBOT_DATA: join(base, 'var'), DEPLOYBOT_REDIS_PREFIX: prefix }, config.file);
  workers.push(started);
  return started;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-time-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3'] });
  marketTestConfig(base, repo.dir);
  const document = JSON.parse(readFileSync(join(base, 'deploybot.yaml'), 'utf8'));
  document.markets.dev.timezone = 'America/Sao_Paulo';
  document.markets.brazil.requiresPassIn = [];
  // night: one daily window that opens two hours from now (UTC clocks), so it is closed now
  const opens = new Date(Date.now() + 2 * 3_600_000);
  const closes = new Date(Date.now() + 3 * 3_600_000);
  document.hosts['ni-1'] = { local: 'hosts/ni-1' };
  document.markets.night = { locations: { main: { role: 'production', hosts: ['ni-1'] } }, windows: [{ days: 'daily', from: `${pad(opens.getUTCHours())}:${pad(opens.getUTCMinutes())}`, to: `${pad(closes.getUTCHours())}:${pad(closes.getUTCMinutes())}` }] };
  document.projects['mala-core'].markets.push('night');
  config = writeTestConfig(base, document);
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix, workers: false });
  await worker();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('--at', () => {
  it('when a deploy is scheduled 30 s ahead and its worker is SIGKILLed and replaced meanwhile, then it runs within 30 s of its time; one cancelled before its time never runs', async () => {
    const kept = await h.request('alice', `deploy mala-core dev v1 --at ${inSeconds(30)}`);
    const dropped = await h.request('alice', `deploy mala-core dev v2 --at ${inSeconds(15)}`);
    const keptRecord = await waitForDeploy(h.jobs.rt, kept, inState('queued'), 60_000);
    expect(keptRecord.scheduledAt).toMatch(/-03:00$/);
    // waiting for its time, it is settled for whoever waits on it (the console's `wait`)
    expect((await h.settle(kept)).state).toBe('queued');
    await waitForDeploy(h.jobs.rt, dropped, inState('queued'), 60_000);

    const cancelled = await h.say('alice', `cancel ${dropped}`);
    expect(text(cancelled)).toContain('is cancelled');

    // status lists what is scheduled
    const status = await h.say('bob', 'status mala-core dev');
    expect(status.public[0]?.text).toContain(`⏰ scheduled: ${kept} deploy v1 at `);
    expect(status.public[0]?.text).not.toContain(dropped);

    await workers[0]!.kill('SIGKILL');
    await worker();

    const done = await settle(kept);
    expect(outcome(done)).toEqual({ state: 'success', reason: undefined });
    const lateMs = Date.parse(done.startedAt!) - Date.parse(keptRecord.scheduledAt!);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(30_000);
    expect(online('dev-1')).toContain(sha7('v1'));

    // the cancelled one's time passed long ago: it never started and nothing of it is queued
    const never = await h.jobs.rt.records.require(dropped);
    expect({ state: never.state, startedAt: never.startedAt }).toEqual({ state: 'cancelled', startedAt: undefined });
    expect((await h.jobs.rt.bus.notices(dropped)).some((n) => n.type === 'job.state' && n.state === 'running')).toBe(false);
  }, 150_000);

  it('when a scheduled deploy is approved in advance, then the card shows its time and it runs at that time without another click', async () => {
    const id = await h.request('carol', `deploy mala-core brazil v1 --at ${new Date(Date.now() + 20_000).toISOString()}`);
    const card = await waitForNotice(h.jobs.rt, id, (n) => n.type === 'job.approval-requested');
    const scheduledAt = card.type === 'job.approval-requested' ? card.record.scheduledAt : undefined;
    expect(scheduledAt).toMatch(/Z|[+-]00:00$/);
    await waitForDeploy(h.jobs.rt, id, inState('awaiting-approval'), 60_000);
    const approved = await h.say('bob', `approve ${id}`);
    expect(text(approved)).toContain(`You approved ${id}`);
    expect((await h.jobs.rt.records.require(id)).state).toBe('queued');

    const done = await settle(id);
    expect(outcome(done)).toEqual({ state: 'success', reason: undefined });
    expect(Date.parse(done.startedAt!)).toBeGreaterThanOrEqual(Date.parse(scheduledAt!));
    expect(online('br-1')).toContain(sha7('v1'));
  });

  it('when nobody approves a scheduled deploy by its time, then its card expires at that time and it never runs', async () => {
    const before = online('br-1');
    const id = await h.request('carol', `deploy mala-core brazil v2 --at ${new Date(Date.now() + 12_000).toISOString()}`);
    const parked = await waitForDeploy(h.jobs.rt, id, inState('awaiting-approval'), 60_000);
    expect(parked.approval!.expiresAt).toBe(new Date(Date.parse(parked.scheduledAt!)).toISOString());
    const done = await settle(id);
    expect(done.state).toBe('expired');
    expect(done.startedAt).toBeUndefined();
    expect(online('br-1')).toBe(before);
  });

  it('when --at is in the past or more than 30 days ahead, then it is refused at once and nothing is queued', async () => {
    const past = await h.say('alice', `deploy mala-core dev v2 --at ${inSeconds(-60)}`);
    expect(past.deployIds).toEqual([]);
    expect(text(past)).toContain('is in the past');
    const far = await h.say('alice', `deploy mala-core dev v2 --at ${new Date(Date.now() + 31 * 86_400_000).toISOString()}`);
    expect(text(far)).toContain('more than 30 days ahead');
    const bad = await h.say('alice', 'deploy mala-core dev v2 --at tomorrow');
    expect(text(bad)).toContain('must be an ISO time with an offset');
  });
});

describe('freezes', () => {
  it('when a scheduled deploy\'s time falls into a freeze set after it was accepted, then it ends refused with the reason and the author posted', async () => {
    const id = await h.request('alice', `deploy mala-core dev v2 --at ${inSeconds(15)}`);
    await waitForDeploy(h.jobs.rt, id, inState('queued'), 60_000);
    const frozen = await h.say('alice', 'freeze dev 2h release night for the payment provider');
    expect(text(frozen)).toContain('dev frozen until');
    const done = await settle(id);
    expect(done.state).toBe('refused');
    expect(done.reason).toMatch(/^at its scheduled time .*: dev is frozen until .* by alice: release night for the payment provider/);
    const posted = (await h.jobs.rt.bus.notices(id)).find((n) => n.type === 'job.state' && n.state === 'refused');
    expect(posted && 'reason' in posted ? posted.reason : undefined).toBe(done.reason);
    expect(online('dev-1')).toContain(sha7('v1'));
  });

  it('when dev is frozen, then a deploy is refused at once with the reason and who froze it, and rollback still runs', async () => {
    const refused = await h.say('bob', 'deploy mala-core dev v3');
    expect(refused.deployIds).toEqual([]);
    expect(text(refused)).toMatch(/dev is frozen until .* by alice: release night for the payment provider\. Only rollback, gray cancel, review cancel and cancel run during a freeze\. Nothing was queued/);
    const audit = await h.jobs.rt.audit.recent(20);
    expect(audit.some((e) => e.action === 'refused' && e.user === 'console:bob' && e.detail?.includes('frozen'))).toBe(true);
    const status = await h.say('bob', 'status mala-core dev');
    expect(status.public[0]?.text).toContain('🧊 frozen until');
    await h.say('alice', 'unfreeze dev');
  });

  it('when a non-approver freezes brazil, then it is refused and brazil is not frozen; an approver\'s freeze refuses deploys but gray cancel and rollback run', async () => {
    const denied = await h.say('carol', 'freeze brazil 1h nope');
    expect(text(denied)).toContain('Only the approvers of brazil may freeze it');
    expect(await h.jobs.rt.chatFreezes.get('brazil')).toBeUndefined();
    expect(text(await h.say('carol', 'freeze all 1h nope'))).toContain('Only the approvers of every market may freeze it');
    expect(await h.jobs.rt.chatFreezes.get('all')).toBeUndefined();
    expect((await h.jobs.rt.audit.recent(20)).filter((e) => e.action === 'freeze refused' && e.user === 'console:carol')).toHaveLength(2);

    // a production release to go back to and an active gray release, before the freeze
    const second = await h.request('carol', 'deploy mala-core brazil v2');
    await waitForDeploy(h.jobs.rt, second, inState('awaiting-approval'), 60_000);
    await h.say('bob', `approve ${second}`);
    expect(outcome(await settle(second))).toEqual({ state: 'success', reason: undefined });
    const gray = await h.request('carol', 'gray start mala-core brazil v3');
    await waitForDeploy(h.jobs.rt, gray, inState('awaiting-approval'), 60_000);
    await h.say('alice', `approve ${gray}`);
    expect(outcome(await settle(gray))).toEqual({ state: 'success', reason: undefined });

    expect(text(await h.say('bob', 'freeze brazil 1h carnival'))).toContain('brazil frozen until');
    const refused = await h.say('carol', 'gray promote mala-core brazil');
    expect(text(refused)).toMatch(/brazil is frozen until .* by bob: carnival/);

    const cancel = await h.request('carol', 'gray cancel mala-core brazil');
    expect(outcome(await settle(cancel))).toEqual({ state: 'success', reason: undefined });
    expect(online('br-gray')).toContain(sha7('v2'));
    const back = await h.request('carol', 'rollback mala-core brazil');
    const parked = await waitForDeploy(h.jobs.rt, back, (r) => r.state !== 'preparing', 60_000);
    if (parked.state === 'awaiting-approval') await h.say('alice', `approve ${back}`);
    expect(outcome(await settle(back))).toEqual({ state: 'success', reason: undefined });
    expect(online('br-1')).toContain(sha7('v1'));
    await h.say('bob', 'unfreeze brazil');
  });
});

describe('windows', () => {
  it('when night is outside its window, then a deploy is refused naming the next window and --at next-window schedules it at that start', async () => {
    const refused = await h.say('alice', 'deploy mala-core night v1');
    expect(refused.deployIds).toEqual([]);
    const window = config.markets.night!.windows![0]!;
    expect(text(refused)).toContain(`night deploys only in its windows (daily ${window.from}–${window.to}, UTC); the next window opens `);
    expect(text(refused)).toContain('`deploy mala-core night v1 --at next-window` schedules it then');

    const id = await h.request('alice', 'deploy mala-core night v1 --at next-window');
    const record = await h.jobs.rt.records.require(id);
    const start = new Date(Date.parse(record.scheduledAt!));
    expect(`${pad(start.getUTCHours())}:${pad(start.getUTCMinutes())}`).toBe(window.from);
    expect(Date.parse(record.scheduledAt!) - Date.now()).toBeGreaterThan(3_600_000);
    await waitForDeploy(h.jobs.rt, id, inState('queued'), 60_000);
    await h.say('alice', `cancel ${id}`);
    expect((await h.jobs.rt.records.require(id)).state).toBe('cancelled');
  });
});
