// The approval rule in the job layer, with users typed from several platforms through the
// real command router (Redis, workers in-process, local hosts, a real git repo): a person
// approves once whichever platform they click from, and `cancel` knows the requester's
// person on every platform. Asserted: the record in Redis and what the hosts serve.
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Config, parseConfig } from '../../config/load-config.ts';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';
import { type JobHarness, startJobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

let base: string;
let repo: TestRepo;
let h: JobHarness;

const BRAZIL_HOSTS = ['br-1', 'br-2', 'br-gray'];
const onlinePath = (host: string) => join(base, 'hosts', host, 'data/prod/mala-core');
const outcome = (r: DeployRecord) => ({ state: r.state, reason: r.reason });

/** brazil needs 2 of alice, bob, carol; dave (Slack and DingTalk) deploys but does not approve. */
function identityConfig(): Config {
  marketTestConfig(base, repo.dir);
  const file = join(base, 'deploybot.yaml');
  const document = JSON.parse(readFileSync(file, 'utf8'));
  document.people.dave = { slack: 'U0DAVE', dingtalk: '5550001' };
  document.markets.brazil.approval = { approvers: ['alice', 'bob', 'carol'], required: 2, expiresAfter: '30m' };
  const text = JSON.stringify(document, null, 2);
  writeFileSync(file, text);
  const loaded = parseConfig(text, file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  expect(loaded.warnings).toEqual([]);
  return loaded.config;
}

async function awaitingApproval(ref: string, requester: string): Promise<string> {
  if (!(await h.jobs.rt.history.hasPassed('mala-core', 'dev', repo.commits[ref]!))) {
    expect(outcome(await h.settle(await h.request(requester, `deploy mala-core dev ${ref}`))).state).toBe('success');
  }
  const id = await h.request(requester, `deploy mala-core brazil ${ref}`);
  expect(outcome(await h.settle(id)).state).toBe('awaiting-approval');
  return id;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-identity-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2'] });
  h = await startJobHarness({ config: identityConfig(), redisUrl: inject('redisUrl'), dataDir: join(base, 'var') });
});

afterAll(async () => {
  await h?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('identities in the job layer', () => {
  it('when bob approves from the console and again from Slack, then he counts once; carol’s approval makes two and it runs', async () => {
    const id = await awaitingApproval('v1', 'slack:U0DAVE');
    expect((await h.say('console:bob', `approve ${id}`)).private[0]).toBe(`You approved ${id}; it needs 1 more approval(s).`);
    expect((await h.say('slack:U01BOB', `approve ${id}`)).private[0]).toBe(`You already approved ${id}; it needs another approver.`);
    const waiting = await h.jobs.rt.records.require(id);
    expect(waiting.state).toBe('awaiting-approval');
    expect(waiting.approval?.approvedBy).toEqual(['console:bob']);
    for (const host of BRAZIL_HOSTS) expect(existsSync(onlinePath(host))).toBe(false);

    expect((await h.say('console:carol', `approve ${id}`)).private[0]).toBe(`You approved ${id}; it is queued to run.`);
    const record = await h.settle(id);
    expect(outcome(record)).toEqual({ state: 'success', reason: undefined });
    expect(record.approval?.approvedBy).toEqual(['console:bob', 'console:carol']);
    for (const host of BRAZIL_HOSTS) expect(basename(realpathSync(onlinePath(host)))).toContain(repo.commits.v1!.slice(0, 7));
  });

  it('when dave requests on Slack, then a console user named dave may not cancel it, and dave from DingTalk may', async () => {
    const id = await awaitingApproval('v2', 'slack:U0DAVE');
    expect((await h.say('console:dave', `cancel ${id}`)).private[0]).toBe(`Only the requester (dave) or an approver of brazil may cancel ${id}.`);
    expect((await h.jobs.rt.records.require(id)).state).toBe('awaiting-approval');
    expect((await h.say('dingtalk:5550001', `cancel ${id}`)).private[0]).toBe(`${id} is cancelled; nothing was changed on any host.`);
    expect(outcome(await h.jobs.rt.records.require(id))).toEqual({ state: 'cancelled', reason: 'cancelled by dave' });
  });
});
