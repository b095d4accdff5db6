// At most `limits.commandsPerMinute` commands per user per minute, counted in Redis, so two
// bot processes share one count; beyond it the answer says when to try again and nothing
// runs (no record, nothing queued).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { commandHandlers } from '../../src/app/command-handlers.ts';
import { RedisCommandRateLimiter } from '../../src/app/redis-command-rate-limiter.ts';
import { waitForDeploy } from '../../src/app/wait-for-deploy.ts';
import type { ChatHandler } from '../../src/core/chat-types.ts';
import { createCommandRouter } from '../../src/core/command-router.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { UserId } from '../../src/domain/user-id.ts';
import { type TestRedis, testRedis } from '../fakes/test-redis.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { type JobHarness, startJobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';

const LIMIT = 3;
let base: string;
let redis: TestRedis;
let config: Config;
const harnesses: JobHarness[] = [];

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-rate-limit-'));
  const repo = makeGitRepo(join(base, 'repo'));
  config = deployTestConfig({ dir: base, repo: repo.dir, hosts: { 'br-1': { local: join(base, 'hosts', 'br-1') } } });
  redis = await testRedis();
});
afterAll(async () => {
  for (const h of harnesses) await h.close();
  await redis?.stop();
  rmSync(base, { recursive: true, force: true });
});

/** A bot process: the job layer on the shared Redis and prefix, and a rate-limited router. */
async function botProcess(prefix: string): Promise<{ h: JobHarness; router: ChatHandler }> {
  const h = await startJobHarness({ config, redisUrl: redis.url, dataDir: join(base, 'var'), prefix });
  harnesses.push(h);
  const router = createCommandRouter({ commands: projectCommands(),
    config,
    logger: createLogger({ level: 'silent' }),
    handlers: commandHandlers(h.jobs.rt, (deployId) => ({ deployId, idle: async () => void (await waitForDeploy(h.jobs.rt, deployId)) })),
    limiter: new RedisCommandRateLimiter(h.jobs.rt, LIMIT),
  });
  return { h, router };
}

async function say(router: ChatHandler, user: UserId, text: string): Promise<{ answers: string[]; deployIds: string[] }> {
  const answers: string[] = [];
  const deployIds: string[] = [];
  await router.onCommand({
    text,
    user: { id: user },
    channel: 'C0TEST',
    platform: 'console',
    reply: async (message) => (answers.push(message.text), { channel: 'C0TEST', id: String(answers.length) }),
    replyPrivately: async (message) => void answers.push(message),
    track: (job) => void deployIds.push(job.deployId),
  });
  return { answers, deployIds };
}

describe('per-user command rate limit', () => {
  it('defaults to 30 commands a minute', () => {
    expect(config.limits.commandsPerMinute).toBe(30);
  });

  it('when a user sends more than the limit within a minute, across two bot processes, then the extra command is refused with when to try again and nothing is queued; another user is not affected', async () => {
    const prefix = `rl${randomUUID().slice(0, 8)}`;
    const a = await botProcess(prefix);
    const b = await botProcess(prefix);
    const user: UserId = `console:alice-${prefix}`;

    expect((await say(a.router, user, 'history mala-core brazil')).answers).toHaveLength(1);
    expect((await say(b.router, user, 'help')).answers).toHaveLength(1);
    const third = await say(a.router, user, 'deploy mala-core brazil v1');
    expect(third.deployIds).toHaveLength(1);
    expect((await a.h.settle(third.deployIds[0]!)).state).toBe('success');

    const refused = await say(b.router, user, 'deploy mala-core brazil v2');
    expect(refused.deployIds).toEqual([]);
    expect(refused.answers).toHaveLength(1);
    const match = /^Too many commands: at most 3 a minute per person\. Nothing was run; try again in (\d+) s\.$/.exec(refused.answers[0]!);
    expect(match, refused.answers[0]).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThanOrEqual(1);
    expect(Number(match![1])).toBeLessThanOrEqual(60);
    // nothing of v2 exists anywhere
    expect((await a.h.jobs.rt.records.history('mala-core', 'brazil', 10)).map((r) => r.command)).toEqual(['deploy mala-core brazil v1']);
    expect((await a.h.jobs.rt.queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).map((j) => j.id).filter((id) => id?.startsWith('d-'))).toHaveLength(2);
    // typos and help count too, and stay refused
    expect((await say(a.router, user, 'help')).answers[0]).toMatch(/^Too many commands/);

    const bob = await say(a.router, `console:bob-${prefix}`, 'deploy mala-core brazil v2');
    expect(bob.deployIds).toHaveLength(1);
    expect((await a.h.settle(bob.deployIds[0]!)).state).toBe('success');

    const ttl = await a.h.jobs.rt.redis.pttl(a.h.jobs.rt.keys.commandRate(user));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});
