// Fuzz of POST /hooks/git on a real server and the real job queue (Redis): bodies that are
// not signed by the forge's secret, signed junk, and signed push events mutated so they no
// longer describe a push of a matching branch or tag. Nothing is ever queued for them and
// nothing answers 5xx; a correctly signed, matching push (the control at the end) is queued.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { queuePushedCommit } from '../../src/app/queue-prebuild.ts';
import { type RunningJobs, startJobs } from '../../src/app/start-jobs.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';
import { createLogger } from '../../src/core/logger.ts';
import { Secret } from '../../src/core/secret.ts';
import { type RunningHttpServer, startHttpServer } from '../../src/http/start-http-server.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';
import { type Forge, forgeHeaders, githubPush, giteaPush, gitlabPush } from '../fixtures/push-events.ts';

const REPO = 'https://git.example.com/acme/mala-core.git';
const COMMIT = 'a'.repeat(40);
const secrets: Record<Forge, string> = { github: randomBytes(16).toString('hex'), gitlab: randomBytes(16).toString('hex'), gitea: randomBytes(16).toString('hex') };
const logger = createLogger({ level: 'silent' });
let base: string;
let config: Config;
let jobs: RunningJobs;
let http: RunningHttpServer;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-git-fuzz-'));
  config = marketTestConfig(base, REPO, { prebuild: ['main', 'v*'] });
  // no workers: what is queued stays in the queue, where the test counts it
  jobs = await startJobs({ config, commands: projectCommands(), redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), logger, prefix: `fz${randomBytes(4).toString('hex')}`, workers: false });
  const rt = jobs.rt;
  http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    logger,
    health: { redis: async () => 'PONG', zookeeper: 'embedded' },
    gitHook: {
      secrets: { github: new Secret(secrets.github, 'GITHUB_HOOK_SECRET'), gitlab: new Secret(secrets.gitlab, 'GITLAB_HOOK_SECRET'), gitea: new Secret(secrets.gitea, 'GITEA_HOOK_SECRET') },
      config,
      logger,
      queue: (target) => queuePushedCommit(rt, target),
      maxBodyBytes: 64 * 1024,
    },
  });
}, 30_000);

afterAll(async () => {
  await http?.stop();
  await jobs?.close();
  rmSync(base, { recursive: true, force: true });
});

const matching = (forge: Forge): Record<string, unknown> => {
  const spec = { ref: 'refs/heads/main', after: COMMIT, cloneUrl: REPO };
  return forge === 'github' ? githubPush(spec) : forge === 'gitea' ? giteaPush(spec) : gitlabPush(spec);
};

async function post(body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; queued: unknown }> {
  const response = await fetch(`${http.url}/hooks/git`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await response.text();
  let queued: unknown;
  try {
    queued = (JSON.parse(text) as { queued?: unknown }).queued;
  } catch {
    queued = undefined;
  }
  return { status: response.status, queued };
}

async function queuedJobs(): Promise<number> {
  const counts = await jobs.rt.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

const forge = fc.constantFrom<Forge>('github', 'gitlab', 'gitea');
const junkHeader = fc.oneof(fc.constant(undefined), fc.constant(''), fc.string({ maxLength: 80 }), fc.stringMatching(/^sha256=[0-9a-f]{64}$/), fc.stringMatching(/^[0-9a-f]{64}$/));

/** A push that would be queued, with a signature or token that is not the forge's. */
const badlySigned = fc.record({ forge, header: junkHeader, otherSecret: fc.boolean() }).map(({ forge, header, otherSecret }) => {
  const body = JSON.stringify(matching(forge));
  const headers = forgeHeaders(forge, otherSecret ? `${secrets[forge]}-not` : secrets[forge], body);
  const name = forge === 'github' ? 'x-hub-signature-256' : forge === 'gitlab' ? 'x-gitlab-token' : 'x-gitea-signature';
  if (!otherSecret) {
    if (header === undefined) delete headers[name];
    else headers[name] = header.replace(/[^\x20-\x7e]/g, '');
  }
  return { body, headers, expect: [401] };
});

/** Correctly signed bodies that are not JSON, or JSON that is not a push. */
const signedJunk = fc.record({ forge, body: fc.oneof(fc.string({ maxLength: 300 }), fc.json({ maxDepth: 3 }), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1'))) }).map(({ forge, body }) => ({
  body,
  headers: forgeHeaders(forge, secrets[forge], body),
  expect: [400, 404, 202],
}));

/** A signed push of a matching ref, changed so that it no longer is one. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), key: fc.constantFrom('ref', 'after', 'repository', 'project', 'object_kind') }),
  fc.record({ kind: fc.constant('after' as const), value: fc.oneof(fc.string({ maxLength: 50 }).filter((s) => !/^[0-9a-f]{40}$/i.test(s)), fc.integer(), fc.constant(null), fc.constant('0'.repeat(40))) }),
  fc.record({ kind: fc.constant('ref' as const), value: fc.oneof(fc.string({ maxLength: 60 }).filter((s) => !/^refs\/(heads|tags)\/(main|v)/.test(s)), fc.constant('refs/heads/develop'), fc.constant('refs/tags/release-1'), fc.constant('refs/heads/../main'), fc.integer()) }),
  fc.record({ kind: fc.constant('url' as const), value: fc.oneof(fc.webUrl(), fc.string({ maxLength: 60 }), fc.constant('https://git.example.com/acme/mala-core-fork.git')) }),
  fc.record({ kind: fc.constant('event' as const), value: fc.constantFrom('ping', 'issues', 'Merge Request Hook', 'create', 'PUSH', '') }),
);
const signedMutants = fc.record({ forge, mutation }).map(({ forge, mutation }) => {
  const payload = matching(forge);
  let event: string | undefined;
  if (mutation.kind === 'drop') {
    // a push names its repository in `repository` (GitLab also in `project`): both go
    const keys = mutation.key === 'repository' || mutation.key === 'project' ? ['repository', 'project'] : [mutation.key === 'object_kind' && forge !== 'gitlab' ? 'repository' : mutation.key];
    for (const key of keys) delete payload[key];
  }
  if (mutation.kind === 'after') payload.after = mutation.value;
  if (mutation.kind === 'after' && forge === 'gitlab') payload.checkout_sha = typeof mutation.value === 'string' && /^0+$/.test(mutation.value) ? null : mutation.value;
  if (mutation.kind === 'ref') payload.ref = mutation.value;
  if (mutation.kind === 'url') {
    for (const key of ['repository', 'project']) {
      const urls = payload[key] as Record<string, unknown> | undefined;
      if (urls) for (const field of Object.keys(urls)) if (/url|homepage/.test(field)) urls[field] = mutation.value;
    }
  }
  if (mutation.kind === 'event') event = mutation.value;
  const body = JSON.stringify(payload);
  const headers = forgeHeaders(forge, secrets[forge], body, event);
  if (event === '') delete headers[forge === 'gitlab' ? 'x-gitlab-event' : forge === 'gitea' ? 'x-gitea-event' : 'x-github-event'];
  return { body, headers, expect: [400, 404, 202] };
});

it('when 900 unsigned, junk or mutated push events arrive, then none is queued and none answers 5xx; a signed matching push is queued', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(badlySigned, signedJunk, signedMutants), async (request) => {
      const answer = await post(request.body, request.headers);
      expect(request.expect, `${answer.status} for ${request.body.slice(0, 200)}`).toContain(answer.status);
      if (answer.status === 202) expect(answer.queued).toEqual([]);
    }),
    { numRuns: 900 },
  );
  expect(await post(Buffer.alloc(70 * 1024, 'x'), forgeHeaders('github', secrets.github, 'x'))).toMatchObject({ status: 413 });
  expect(await queuedJobs()).toBe(0);
  expect(await jobs.rt.redis.keys(jobs.rt.keys.prebuild('*', '*'))).toEqual([]);

  const control = JSON.stringify(matching('gitea'));
  expect(await post(control, forgeHeaders('gitea', secrets.gitea, control))).toEqual({ status: 202, queued: [{ project: 'mala-core', ref: 'main', commit: COMMIT }] });
  expect(await queuedJobs()).toBe(1);
}, 120_000);
