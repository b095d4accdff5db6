// Human locks (docs/commands.md "Locks"): `--for` makes one lift by itself, only the locker or
// an approver of the market lifts one, and recovery verbs pass one and say so. The real job
// layer on the real Redis, workers in this process, local hosts, a real git repository.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

let base: string;
let repo: TestRepo;
let h: JobHarness;

const online = (host: string) => basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core')));
const sha7 = (tag: string) => repo.commits[tag]!.slice(0, 7);
const lockKey = (market: string) => h.jobs.rt.keys.humanLock('mala-core', market);

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-locks-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3'] });
  const config = marketTestConfig(base, repo.dir);
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix: `locks${randomUUID().slice(0, 8)}` });
});

afterAll(async () => {
  await h?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('human locks', () => {
  it('when carol locks brazil --for 2h, then the lock says until when, Redis lifts it after 2 hours, and status shows it', async () => {
    const answer = await h.say('carol', 'lock mala-core brazil --for 2h store review in progress');
    expect(answer.public[0]?.text).toMatch(/^🔒 mala-core brazil locked by carol: store review in progress\. Deploys there are refused until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(or `unlock mala-core brazil`\); rollback, gray cancel and review cancel still pass\.$/);
    const ttl = await h.jobs.rt.redis.pttl(lockKey('brazil'));
    expect(ttl).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(2 * 3_600_000);
    const status = await h.say('alice', 'status mala-core brazil');
    expect(status.public[0]?.text).toMatch(/🔒 locked by carol since .* UTC until .* UTC: store review in progress/);
  });

  it('when the flag is written after the reason, then it is the flag, not words of the reason', async () => {
    await h.say('carol', 'lock mala-core dev payment migration --for 30m');
    const lock = await h.jobs.rt.humanLocks.get('mala-core', 'dev');
    expect(lock).toMatchObject({ reason: 'payment migration', by: 'console:carol' });
    expect(Date.parse(lock!.until!) - Date.parse(lock!.at)).toBe(30 * 60_000);
    await h.say('carol', 'unlock mala-core dev');
  });

  it('when mallory tries to unlock carol\'s lock, then she is refused with the owner named and it stays; bob, an approver of brazil, lifts it', async () => {
    const refused = await h.say('mallory', 'unlock mala-core brazil');
    expect(refused.public).toEqual([]);
    expect(refused.private[0]).toMatch(/^mala-core brazil is locked by carol since .*: store review in progress\. Only carol or an approver of brazil \(alice, bob\) may unlock it; it stays locked\.$/);
    expect(await h.jobs.rt.humanLocks.get('mala-core', 'brazil')).toMatchObject({ by: 'console:carol' });

    const lifted = await h.say('bob', 'unlock mala-core brazil');
    expect(lifted.public[0]?.text).toBe('🔓 mala-core brazil unlocked by bob (was locked by carol: store review in progress).');
    expect(await h.jobs.rt.redis.exists(lockKey('brazil'))).toBe(0);
    const audit = await h.jobs.rt.audit.recent(20, (e) => e.market === 'brazil' && e.action.startsWith('unlock'));
    expect(audit.map((e) => [e.action, e.user])).toEqual(expect.arrayContaining([['unlock refused', 'console:mallory'], ['unlock', 'console:bob']]));
  });

  it('when dev (no approvers) is locked, then only the locker lifts it', async () => {
    await h.say('carol', 'lock mala-core dev dns change');
    expect((await h.say('alice', 'unlock mala-core dev')).private[0]).toMatch(/Only carol may unlock it; it stays locked\.$/);
    expect((await h.say('carol', 'unlock mala-core dev')).public[0]?.text).toContain('unlocked by carol');
  });

  it('when dev is locked, then a deploy is refused, but a rollback passes the lock, says so, and switches dev-1 back', async () => {
    for (const ref of ['v1', 'v2']) expect((await h.settle(await h.request('alice', `deploy mala-core dev ${ref}`))).state).toBe('success');
    expect(online('dev-1')).toContain(sha7('v2'));
    await h.say('carol', 'lock mala-core dev bad release v2');

    const deploy = await h.say('alice', 'deploy mala-core dev v3');
    expect(deploy.deployIds).toEqual([]);
    expect(deploy.private[0]).toContain('is locked by carol');

    const rollback = await h.say('alice', 'rollback mala-core dev');
    const id = rollback.deployIds[0]!;
    expect(rollback.private[0]).toContain('🔒 mala-core dev is locked by carol since ');
    expect(rollback.private[0]).toContain('rollback is a recovery command and passes the lock');
    expect((await h.settle(id)).state).toBe('success');
    expect(online('dev-1')).toContain(sha7('v1'));
    const notes = (await h.jobs.rt.bus.notices(id)).filter((n) => n.type === 'job.note');
    expect(notes.map((n) => (n as { text: string }).text)).toEqual([expect.stringContaining('rollback is a recovery command and passes the lock')]);
    expect(await h.jobs.rt.humanLocks.get('mala-core', 'dev')).toMatchObject({ reason: 'bad release v2' });
    await h.say('carol', 'unlock mala-core dev');
  });
});
