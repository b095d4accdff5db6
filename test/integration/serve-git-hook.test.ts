// `serve` with push-event secrets in its environment: POST /hooks/git is on, each forge is
// checked with its own secret (GITLAB_HOOK_SECRET) or the general one (GIT_HOOK_SECRET),
// a pushed tag is built by serve's workers, and no secret reaches the log.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { PREBUILD_JOB } from '../../src/app/queue-prebuild.ts';
import { type RunningServe, startServe } from '../../src/cli/run-serve.ts';
import { processRedactor } from '../../src/core/process-redactor.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { captureLogger, type CapturedLogger } from '../fakes/capture-logger.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';
import { forgeHeaders, githubPush, gitlabPush } from '../fixtures/push-events.ts';

const gitlabSecret = randomBytes(20).toString('hex');
const generalSecret = randomBytes(20).toString('hex');
let base: string;
let repo: TestRepo;
let serve: RunningServe;
let log: CapturedLogger;
const said: string[] = [];

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-serve-git-'));
  repo = makeGitRepo(join(base, 'repo'));
  const config = marketTestConfig(base, repo.dir, { prebuild: ['v*'] });
  const env = { REDIS_URL: inject('redisUrl'), GITLAB_HOOK_SECRET: gitlabSecret, GIT_HOOK_SECRET: generalSecret };
  log = captureLogger('debug', processRedactor(config, env));
  serve = await startServe({ config, env, logger: log.logger, say: (line) => void said.push(line), port: 0, host: '127.0.0.1', dataDir: join(base, 'var'), prefix: `serve-git-${randomBytes(4).toString('hex')}` });
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  rmSync(base, { recursive: true, force: true });
});

async function post(forge: 'github' | 'gitlab', secret: string, payload: unknown, event?: string) {
  const body = JSON.stringify(payload);
  const response = await fetch(`${serve.http.url}/hooks/git`, { method: 'POST', headers: forgeHeaders(forge, secret, body, event), body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

it('when serve has push-event secrets, then each forge is checked with its own or the general one, and a pushed tag is built by its workers', async () => {
  expect(said).toContain('deploybot serve: push events: on (POST /hooks/git for github, gitlab, gitea)');
  const v1 = { ref: 'refs/tags/v1', after: repo.commits.v1!, cloneUrl: `file://${repo.dir}` };
  // GitLab has a secret of its own: the general one is not GitLab's
  expect((await post('gitlab', generalSecret, gitlabPush({ ...v1, tag: true }), 'Tag Push Hook')).status).toBe(401);
  expect(await post('gitlab', gitlabSecret, gitlabPush({ ...v1, tag: true }), 'Tag Push Hook')).toEqual({ status: 202, body: { queued: [{ project: 'mala-core', ref: 'v1', commit: repo.commits.v1 }], duplicates: [] } });
  expect((await post('github', generalSecret, githubPush({ ...v1, ref: 'refs/tags/v2', after: repo.commits.v2! }))).body.queued).toEqual([{ project: 'mala-core', ref: 'v2', commit: repo.commits.v2 }]);
  const queue = serve.bot.jobs.rt.queue;
  const done = await waitUntil(async () => {
    const jobs = (await queue.getJobs(['completed', 'failed'])).filter((job) => job.name === PREBUILD_JOB);
    return jobs.length === 2 ? jobs : undefined;
  }, { what: 'both pre-builds to finish', timeoutMs: 60_000, intervalMs: 100 });
  expect(done.map((job) => job.failedReason)).toEqual([undefined, undefined]);
  expect(done.map((job) => (job.returnvalue as { commit: string }).commit).sort()).toEqual([repo.commits.v1, repo.commits.v2].sort());
  expect(log.text()).not.toContain(gitlabSecret);
  expect(log.text()).not.toContain(generalSecret);
}, 90_000);
