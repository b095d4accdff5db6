// POST /hooks/git end to end: a real HTTP server, BullMQ workers on the real Redis, real git
// builds in the bubblewrap sandbox, local hosts. Signed GitHub, GitLab and Gitea push events
// queue builds that a later deploy of the same commit reports as cached; refused requests,
// refs no `prebuild` glob matches and repeated pushes queue nothing more. Pre-builds run in
// the sandbox (the build command records its uid). The build command
// reports each real run to a counter outside the sandbox (build-counter.ts).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { PREBUILD_JOB, queuePushedCommit } from '../../src/app/queue-prebuild.ts';
import { prebuildId } from '../../src/deploy/build/prebuild-commit.ts';
import { createLogger } from '../../src/core/logger.ts';
import { Secret } from '../../src/core/secret.ts';
import { type RunningHttpServer, startHttpServer } from '../../src/http/start-http-server.ts';
import { reduceNotices } from '../../src/notify/deploy-view.ts';
import { renderProgress } from '../../src/notify/render-progress.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { type BuildCounter, startBuildCounter } from '../fixtures/build-counter.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';
import { type Forge, forgeHeaders, githubPush, giteaPush, gitlabPush } from '../fixtures/push-events.ts';

const secrets: Record<Forge, string> = { github: randomBytes(20).toString('hex'), gitlab: randomBytes(20).toString('hex'), gitea: randomBytes(20).toString('hex') };
let base: string;
let repo: TestRepo;
let config: Config;
let h: JobHarness;
let http: RunningHttpServer;
let counter: BuildCounter;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-prebuild-'));
  repo = makeGitRepo(join(base, 'repo'));
  counter = await startBuildCounter();
  config = marketTestConfig(base, repo.dir, { build: { command: `sh build.sh && id -u > dist/uid && ${counter.notify}`, output: 'dist' }, prebuild: ['main', 'v*'] });
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var') });
  const rt = h.jobs.rt;
  http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ level: 'silent' }),
    health: { redis: async () => 'PONG', zookeeper: 'embedded' },
    gitHook: {
      secrets: { github: new Secret(secrets.github, 'GITHUB_HOOK_SECRET'), gitlab: new Secret(secrets.gitlab, 'GITLAB_HOOK_SECRET'), gitea: new Secret(secrets.gitea, 'GITEA_HOOK_SECRET') },
      config,
      logger: createLogger({ level: 'silent' }),
      queue: (target) => queuePushedCommit(rt, target),
    },
  });
}, 60_000);

afterAll(async () => {
  await http?.stop();
  await h?.close();
  await counter?.close();
  rmSync(base, { recursive: true, force: true });
});

async function push(forge: Forge, payload: unknown, options: { secret?: string; query?: string; event?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const text = JSON.stringify(payload);
  const response = await fetch(`${http.url}/hooks/git${options.query ?? ''}`, {
    method: 'POST',
    headers: { ...forgeHeaders(forge, options.secret ?? secrets[forge], text, options.event), ...options.headers },
    body: text,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function prebuildJobs() {
  return (await h.jobs.rt.queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).filter((job) => job.name === PREBUILD_JOB);
}

/** Waits until every pre-build job has ended; fails the test if one failed. */
async function prebuildsSettled(count: number) {
  const jobs = await waitUntil(async () => {
    const all = await prebuildJobs();
    const states = await Promise.all(all.map((job) => job.getState()));
    return all.length >= count && states.every((s) => s === 'completed' || s === 'failed') ? all : undefined;
  }, { what: `${count} pre-builds to finish`, timeoutMs: 60_000, intervalMs: 100 });
  for (const job of jobs) expect(job.failedReason, `${job.id}`).toBeUndefined();
  return jobs;
}

/** Deploys to dev and returns the progress message as chat shows it. */
async function deployToDev(ref: string): Promise<string> {
  const id = await h.request('alice', `deploy mala-core dev ${ref}`);
  const record = await h.settle(id);
  expect(record.state, record.reason).toBe('success');
  const message = renderProgress(reduceNotices(await h.jobs.rt.bus.notices(id)));
  return [message.text, ...(message.lines ?? [])].join('\n');
}

const localClone = () => `file://${repo.dir}`;

/** A commit on a new branch of the test repository (so nothing has built it yet). */
function commitOnNewBranch(branch: string): string {
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: repo.dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: repo.dir, GIT_CONFIG_NOSYSTEM: '1' } }).toString('utf8').trim();
  git('checkout', '--quiet', '-b', branch, 'main');
  writeFileSync(join(repo.dir, 'app.txt'), `app ${branch}\n`);
  git('commit', '--quiet', '-am', branch);
  const commit = git('rev-parse', 'HEAD');
  git('checkout', '--quiet', 'main');
  return commit;
}

describe('POST /hooks/git', () => {
  it('when GitHub pushes a tag matching prebuild, then one build is queued and a later deploy of the commit reports it cached', async () => {
    const answer = await push('github', githubPush({ ref: 'refs/tags/v1', after: repo.commits.v1!, cloneUrl: localClone() }));
    expect(answer).toEqual({ status: 202, body: { queued: [{ project: 'mala-core', ref: 'v1', commit: repo.commits.v1 }], duplicates: [] } });
    await prebuildsSettled(1);
    expect(counter.count()).toBe(1);
    // built in the sandbox: as nobody (65534), not as the bot's user
    const build = join(base, 'var', 'builds', 'mala-core', prebuildId(config, { project: 'mala-core', ref: 'v1', commit: repo.commits.v1! }));
    expect(readFileSync(join(build, 'src', 'dist', 'uid'), 'utf8').trim()).toBe('65534');
    expect(await deployToDev('v1')).toMatch(/✅ build · [^\n]*cached/);
    expect(counter.count()).toBe(1);
  }, 90_000);

  it('when GitLab sends a Tag Push Hook for ?project=, then the tag is built ahead and its deploy reports the build cached', async () => {
    const payload = gitlabPush({ ref: 'refs/tags/v2', after: repo.commits.v2!, cloneUrl: 'https://gitlab.example.com/acme/mala-core.git', tag: true });
    const answer = await push('gitlab', payload, { query: '?project=mala-core', event: 'Tag Push Hook' });
    expect(answer).toEqual({ status: 202, body: { queued: [{ project: 'mala-core', ref: 'v2', commit: repo.commits.v2 }], duplicates: [] } });
    await prebuildsSettled(2);
    expect(counter.count()).toBe(2);
    expect(await deployToDev('v2')).toMatch(/✅ build · [^\n]*cached/);
    expect(counter.count()).toBe(2);
  }, 90_000);

  it('when Gitea pushes the main branch, then main is built ahead and a deploy of main reports the build cached', async () => {
    const main = repo.commits.v3!;
    const answer = await push('gitea', giteaPush({ ref: 'refs/heads/main', after: main, before: repo.commits.v2!, cloneUrl: `${repo.dir}.git` }));
    expect(answer).toEqual({ status: 202, body: { queued: [{ project: 'mala-core', ref: 'main', commit: main }], duplicates: [] } });
    await prebuildsSettled(3);
    expect(counter.count()).toBe(3);
    expect(await deployToDev('main')).toMatch(/✅ build · [^\n]*cached/);
    expect(counter.count()).toBe(3);
  }, 90_000);

  it('when a signature or token is wrong or missing, then the answer is 401 and nothing is queued', async () => {
    const before = (await prebuildJobs()).length;
    const spec = { ref: 'refs/tags/v3', after: repo.commits.v3!, cloneUrl: localClone() };
    expect((await push('github', githubPush(spec), { secret: secrets.gitea })).status).toBe(401);
    expect((await push('gitea', giteaPush(spec), { secret: 'not-the-secret' })).status).toBe(401);
    expect((await push('gitlab', gitlabPush(spec), { secret: `${secrets.gitlab}x` })).status).toBe(401);
    expect((await push('github', githubPush(spec), { headers: { 'x-hub-signature-256': '' } })).status).toBe(401);
    // a Gitea event signed the GitHub way is still checked as Gitea's
    expect((await push('gitea', giteaPush(spec), { headers: { 'x-gitea-signature': 'sha256=00' } })).status).toBe(401);
    expect((await prebuildJobs()).length).toBe(before);
  });

  it('when the repository is no project\'s, or ?project= names none, then the answer is 404 and nothing is queued', async () => {
    const before = (await prebuildJobs()).length;
    const other = await push('github', githubPush({ ref: 'refs/heads/main', after: repo.commits.v3!, cloneUrl: 'https://github.com/acme/other.git', sshUrl: 'git@github.com:acme/other.git' }));
    expect(other.status).toBe(404);
    expect(other.body.error).toContain('unknown repository');
    const named = await push('gitea', giteaPush({ ref: 'refs/heads/main', after: repo.commits.v3!, cloneUrl: localClone() }), { query: '?project=constructor' });
    expect(named.status).toBe(404);
    expect((await prebuildJobs()).length).toBe(before);
  });

  it('when the pushed ref matches no prebuild glob, is deleted, or the event is not a push, then the answer is 202 with nothing queued', async () => {
    const before = (await prebuildJobs()).length;
    expect(await push('github', githubPush({ ref: 'refs/heads/feature/x', after: repo.featureCommit, cloneUrl: localClone() }))).toEqual({ status: 202, body: { queued: [], duplicates: [] } });
    expect(await push('gitlab', gitlabPush({ ref: 'refs/tags/release-1', after: repo.featureCommit, cloneUrl: localClone(), tag: true }), { event: 'Tag Push Hook' })).toEqual({ status: 202, body: { queued: [], duplicates: [] } });
    expect(await push('gitea', giteaPush({ ref: 'refs/heads/main', after: '0'.repeat(40), before: repo.commits.v3!, cloneUrl: localClone() }))).toEqual({ status: 202, body: { queued: [], duplicates: [] } });
    expect(await push('github', githubPush({ ref: 'refs/pull/4/head', after: repo.featureCommit, cloneUrl: localClone() }))).toEqual({ status: 202, body: { queued: [], duplicates: [] } });
    const ping = await push('github', { zen: 'Design for failure.', hook_id: 1 }, { event: 'ping' });
    expect(ping.status).toBe(202);
    expect(ping.body.queued).toEqual([]);
    expect((await prebuildJobs()).length).toBe(before);
  });

  it('when one commit is pushed 20 times at once, then one build is queued and made; the other 19 answers list it as a duplicate', async () => {
    const before = counter.count();
    const jobsBefore = (await prebuildJobs()).length;
    const payload = githubPush({ ref: 'refs/tags/v-twenty', after: repo.featureCommit, cloneUrl: localClone() });
    const answers = await Promise.all(Array.from({ length: 20 }, () => push('github', payload)));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(answers.filter((a) => (a.body.queued as unknown[]).length === 1)).toHaveLength(1);
    expect(answers.filter((a) => (a.body.duplicates as unknown[]).length === 1)).toHaveLength(19);
    await prebuildsSettled(jobsBefore + 1);
    // pushed again once it is built: still a duplicate
    expect((await push('github', payload)).body).toEqual({ queued: [], duplicates: [{ project: 'mala-core', ref: 'v-twenty', commit: repo.featureCommit }] });
    expect((await prebuildJobs()).length).toBe(jobsBefore + 1);
    expect(counter.count()).toBe(before + 1);
  }, 90_000);
});

describe('build <project> <ref>', () => {
  it('when someone asks for a build of a new commit in chat, then it is built once and answered with commit, package size and time; asked again, it is cached', async () => {
    const commit = commitOnNewBranch('hotfix/login');
    const before = counter.count();
    const first = await h.say('carol', 'build mala-core hotfix/login');
    expect(first.private[0]).toContain('building mala-core hotfix/login');
    const answer = first.public.map((m) => m.text).join('\n');
    expect(answer).toMatch(new RegExp(`^📦 mala-core hotfix/login: commit ${commit.slice(0, 12)} · package mala-core-\\S+-${commit.slice(0, 7)}\\.tar\\.gz \\d[\\d.]* (B|kB|MB) · built in \\d`));
    expect(counter.count()).toBe(before + 1);
    const second = await h.say('carol', 'build mala-core hotfix/login');
    expect(second.public.map((m) => m.text).join('\n')).toContain('already built (cached)');
    expect(counter.count()).toBe(before + 1);
    expect(await deployToDev('hotfix/login')).toMatch(/✅ build · [^\n]*cached/);
    expect(counter.count()).toBe(before + 1);
  }, 90_000);

  it('when the ref does not exist, then the answer says the build failed and names the ref', async () => {
    const answer = await h.say('carol', 'build mala-core v99');
    expect(answer.public.map((m) => m.text).join('\n')).toMatch(/❌ build mala-core v99 failed: .*no tag, branch or commit "v99"/);
  }, 60_000);
});
