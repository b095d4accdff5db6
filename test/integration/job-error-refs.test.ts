// An unexpected error in a job is answered with a short reference, never with its raw message
// (docs/operations.md, "Error references"): the chat shows "internal error, ref <ref>", the log
// has the full error under the same reference. The whole bot — router, jobs on the real Redis,
// the notifier posting to a chat, real git builds, local hosts — with a release store whose
// operations can be made to fail as a broken store would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { openReleaseStore } from '../../src/store/open-release-store.ts';
import type { ReleaseStore } from '../../src/store/release-store.ts';
import { startBotWithChat, type BotWithChat } from '../fixtures/bot-with-chat.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';
import { captureLogger, type CapturedLogger } from '../fakes/capture-logger.ts';

/** What the broken store says: internal detail that belongs in the log, not in chat. */
const RAW = 'store exploded at /var/lib/deploybot/internal-7f3e';

type Failing = 'read' | 'removeRelease';

/** The real embedded store, except that an operation in `failing` throws a plain Error once its count of calls that still pass is used up. */
function breakableStore(real: ReleaseStore, failing: Map<Failing, number>): ReleaseStore {
  const fail = (operation: Failing) => {
    const passing = failing.get(operation);
    if (passing === undefined) return;
    if (passing > 0) return void failing.set(operation, passing - 1);
    throw new Error(`${RAW} (${operation})`);
  };
  return {
    read: async (project, market) => (fail('read'), real.read(project, market)),
    recordRelease: (input) => real.recordRelease(input),
    promote: (input) => real.promote(input),
    removeRelease: async (input) => (fail('removeRelease'), real.removeRelease(input)),
    checkHealth: () => real.checkHealth(),
    close: () => real.close(),
  };
}

let base: string;
let repo: TestRepo;
let config: Config;
let store: ReleaseStore;
let bot: BotWithChat;
let log: CapturedLogger;
const failing = new Map<Failing, number>();

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-error-refs-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2'] });
  config = writeTestConfig(base, {
    hosts: { 'dev-1': { local: 'hosts/dev-1' }, 'dev-rev': { local: 'hosts/dev-rev' } },
    markets: { dev: { approval: 'none', locations: { main: { role: 'production', hosts: ['dev-1'] }, appstore: { role: 'review', hosts: ['dev-rev'] } } } },
    projects: {
      'mala-core': { repo: repo.dir, build: { command: 'sh build.sh', output: 'dist' }, path: '/data/prod/mala-core', releasesDir: '/data/codes/mala-core', hostTimeout: '20s', markets: ['dev'] },
    },
  });
  store = openReleaseStore(config, { dataDir: join(base, 'var') });
  log = captureLogger('info');
  bot = await startBotWithChat({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), releases: breakableStore(store, failing), logger: log.logger });
});

afterAll(async () => {
  await bot?.close();
  await store?.close();
  rmSync(base, { recursive: true, force: true });
});

/** The reference the record's reason carries, after checking that is all it says. */
function refOf(reason: string | undefined): string {
  expect(reason).toMatch(/^internal error, ref [0-9a-f]{8}$/);
  return reason!.slice('internal error, ref '.length);
}

/** The log line with `ref`, parsed. */
function logged(ref: string): Record<string, unknown> & { error?: { message?: string } } {
  const line = log.lines.find((l) => l.includes(`"ref":"${ref}"`));
  expect(line, `a log line with ref ${ref}`).toBeDefined();
  return JSON.parse(line!) as Record<string, unknown> & { error?: { message?: string } };
}

describe('unexpected job errors', () => {
  it('when the run of a deploy throws unexpectedly, then chat shows only a reference and the log has the error under it', async () => {
    const start = await bot.h.request('alice', 'review start mala-core dev appstore v1');
    expect((await bot.h.settle(start)).state).toBe('success');

    failing.set('removeRelease', 0);
    try {
      const cancel = await bot.h.request('alice', 'review cancel mala-core dev appstore');
      const record = await bot.h.settle(cancel);
      expect(record.state).toBe('failed');
      const ref = refOf(record.reason);

      const chat = (await bot.chat(cancel)).join('\n');
      expect(chat).toContain(`internal error, ref ${ref}`);
      expect(chat).not.toContain(RAW);
      expect(logged(ref)).toMatchObject({ level: 'error', deployId: cancel, error: { message: `${RAW} (removeRelease)` } });
    } finally {
      failing.delete('removeRelease');
    }
    // nothing was removed
    expect((await store.read('mala-core', 'dev')).releases['review-appstore']).toBeDefined();
  });

  it('when preparing a deploy throws unexpectedly, then the record, chat and log agree on one reference and chat has no raw message', async () => {
    // the accept reads the release state once; the prepare job is the next to read it
    failing.set('read', 1);
    try {
      const id = await bot.h.request('alice', 'deploy mala-core dev v2');
      const record = await bot.h.settle(id);
      expect(record.state).toBe('failed');
      const ref = refOf(record.reason);

      const chat = (await bot.chat(id)).join('\n');
      expect(chat).toContain(`internal error, ref ${ref}`);
      expect(chat).not.toContain(RAW);
      expect(logged(ref)).toMatchObject({ level: 'error', deployId: id, phase: 'prepare', error: { message: `${RAW} (read)` } });
    } finally {
      failing.delete('read');
    }
  });
});
