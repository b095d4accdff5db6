// The notifier on a real Redis: notices published through the DeployEventBus and records
// written through DeployRecords (as the job layer does) end up as chat messages — one
// progress message per deploy, edited in place; the approval card with its buttons, edited
// without them once decided; size spans and warnings posted once — even with two notifiers.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeployNotice } from '../../src/deploy/deploy-notice.ts';
import type { Messenger, OutgoingMessage } from '../../src/core/chat-types.ts';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';
import { reduceNotices } from '../../src/notify/deploy-view.ts';
import { type EditorFactory, throttledEditors } from '../../src/notify/message-editor.ts';
import { Notifier, type NotifierOptions } from '../../src/notify/notifier.ts';
import { renderProgress } from '../../src/notify/render-progress.ts';
import { ThrottledEditor } from '../../src/notify/throttled-editor.ts';
import { DeployEventBus } from '../../src/store/deploy-event-bus.ts';
import { DeployRecords } from '../../src/store/deploy-records.ts';
import { RedisKeys } from '../../src/store/redis-keys.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { chatTestConfig } from '../fakes/chat-test-config.ts';
import { within } from '../fakes/deferred.ts';
import { RecordingMessenger, type RecordedPost } from '../fakes/recording-messenger.ts';
import { RecordingNotifierMessenger } from '../fakes/recording-notifier-messenger.ts';
import { testRedis, type TestRedis } from '../fakes/test-redis.ts';
import { deployRecord, NoticeScript } from '../fixtures/notices.ts';

let server: TestRedis;
let redis: Redis;
const notifiers: Notifier[] = [];

beforeAll(async () => {
  server = await testRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});

afterEach(async () => {
  await Promise.all(notifiers.splice(0).map((n) => n.stop()));
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

/** Fast edits for tests: the real ThrottledEditor with a short interval and a large budget. */
const fastEditors: EditorFactory = (_platform, messenger) =>
  new ThrottledEditor<OutgoingMessage>({ send: (ref, message) => messenger.update(ref, message), minIntervalMs: 20, windowsFor: () => [] });

interface World {
  keys: RedisKeys;
  bus: DeployEventBus;
  records: DeployRecords;
  notifier(messenger: Messenger, options?: Partial<NotifierOptions>): Promise<Notifier>;
  /** Creates the deploy's record and a script of its notices. */
  deploy(overrides?: Partial<DeployRecord>): Promise<NoticeScript>;
  /** Publishes notices as the job layer does: records first, then the notice. */
  publish(notices: readonly DeployNotice[]): Promise<void>;
}

function world(): World {
  const keys = new RedisKeys(`t${randomUUID()}`);
  const bus = new DeployEventBus(redis, keys);
  const records = new DeployRecords(redis, keys);
  return {
    keys,
    bus,
    records,
    async notifier(messenger, options = {}) {
      const notifier = new Notifier({
        bus,
        records,
        redis,
        keys,
        config: chatTestConfig(),
        messengers: { slack: messenger, dingtalk: messenger, console: messenger },
        editorFor: fastEditors,
        logger: captureLogger().logger,
        blockMs: 200,
        pollMs: 20,
        ...options,
      });
      notifiers.push(notifier);
      await notifier.start();
      return notifier;
    },
    async deploy(overrides = {}) {
      const { id: _id, rev: _rev, ...input } = deployRecord(overrides);
      const record = await records.create(input);
      return new NoticeScript({ ...overrides, id: record.id, createdAt: record.createdAt });
    },
    async publish(notices) {
      for (const notice of notices) {
        if ('record' in notice && notice.type !== 'job.accepted') {
          const next = notice.record;
          await records.update(notice.deployId, (current) => ({ ...next, rev: current.rev }));
        }
        await bus.publish(notice);
      }
    },
  };
}

function posts(messenger: RecordingMessenger, prefix: string): RecordedPost[] {
  return messenger.sent.filter((s) => s.kind === 'post' && s.message.text.startsWith(prefix));
}

function lastShown(messenger: RecordingMessenger, ref: { id?: string; channel: string }): OutgoingMessage | undefined {
  return messenger.sent.filter((s) => s.id === ref.id && s.channel === ref.channel).at(-1)?.message;
}

describe('Notifier', () => {
  it('posts one progress message in the market channel and edits it to the final state', async () => {
    const w = world();
    const messenger = new RecordingNotifierMessenger();
    const notifier = await w.notifier(messenger);
    const script = await w.deploy();

    await w.publish(script.accepted().notices);
    const posted = await within(messenger.waitFor((s) => s.kind === 'post'), 10_000, 'the progress message');
    expect(posted.channel).toBe('C0BRAZIL');
    expect(posted.message.lines!.at(-1)).toMatch(/^⏳ preparing/);

    const before = script.notices.length;
    script.resolveAndBuild().state('queued').state('running').started().resolveAndBuild(true).runHosts().finished().ended();
    await w.publish(script.since(before));
    await within(notifier.settled(script.deployId), 10_000, 'the deploy to settle');

    expect(messenger.sent.filter((s) => s.kind === 'post')).toEqual([posted]);
    const edits = messenger.sent.filter((s) => s.kind === 'update');
    expect(edits.length).toBeGreaterThan(0);
    expect(edits.every((e) => e.id === posted.id && e.channel === 'C0BRAZIL')).toBe(true);
    const final = edits.at(-1)!.message;
    expect(final).toEqual(renderProgress(reduceNotices(script.notices)));
    expect(final.lines).toContainEqual(expect.stringMatching(/^✅ success · .* — 3\/3 hosts switched$/));
  });

  it('posts to the command channel, else the platform default, when the market has none', async () => {
    const w = world();
    const messenger = new RecordingMessenger();
    const notifier = await w.notifier(messenger);
    const dev = await w.deploy({ market: 'dev', channel: 'C0COMMAND' });
    const dingtalk = await w.deploy({ project: 'api', market: 'dev', platform: 'dingtalk', channel: '' });
    await w.publish(dev.accepted().state('refused', { reason: 'locked' }).notices);
    await w.publish(dingtalk.accepted().state('refused', { reason: 'locked' }).notices);
    await notifier.settled(dev.deployId);
    await notifier.settled(dingtalk.deployId);
    expect(posts(messenger, dev.deployId).map((p) => p.channel)).toEqual(['C0COMMAND']);
    expect(posts(messenger, dingtalk.deployId).map((p) => p.channel)).toEqual(['cid0default']);
  });

  it('posts the approval card with two buttons where the market\'s messages go (not the command channel), then edits it without buttons once decided', async () => {
    const w = world();
    const messenger = new RecordingMessenger();
    const notifier = await w.notifier(messenger);
    const script = await w.deploy({ channel: 'C0COMMAND' });
    script.accepted().resolveAndBuild().awaitApproval({ diffSummary: ['abc1234 fix the checkout total'] });

    await w.publish(script.notices);
    await within(notifier.settled(script.deployId), 10_000, 'the deploy to park awaiting approval');

    const cards = posts(messenger, '🔐 approval needed');
    expect(cards).toHaveLength(1);
    expect(cards[0]!.channel).toBe('C0BRAZIL');
    expect(cards[0]!.message.buttons?.map((b) => [b.label, b.command, b.style])).toEqual([
      ['Approve', `approve ${script.deployId}`, 'primary'],
      ['Reject', `reject ${script.deployId}`, 'danger'],
    ]);
    expect(cards[0]!.message.lines).toContain('  abc1234 fix the checkout total');
    expect(lastShown(messenger, posts(messenger, script.deployId)[0]!)!.lines!.at(-1)).toMatch(/^⏳ awaiting approval until/);

    const before = script.notices.length;
    script.decide('approved', 'bob').state('running').started().resolveAndBuild(true).runHosts().finished().ended();
    await w.publish(script.since(before));
    await within(notifier.settled(script.deployId), 10_000, 'the deploy to finish');

    const card = lastShown(messenger, cards[0]!)!;
    expect(card.text.startsWith('✅ approved')).toBe(true);
    expect(card.lines![0]).toMatch(/^approved by bob at /);
    expect(card.buttons).toBeUndefined();
    expect(posts(messenger, '🔐')).toHaveLength(1);
  });

  it('after a rejection, the card shows who rejected and loses its buttons', async () => {
    const w = world();
    const messenger = new RecordingMessenger();
    const notifier = await w.notifier(messenger);
    const script = await w.deploy();
    await w.publish(script.accepted().resolveAndBuild().awaitApproval().decide('rejected', 'carol', 'not during the sale').notices);
    await notifier.settled(script.deployId);
    const card = posts(messenger, '🔐')[0] ?? posts(messenger, '❌ rejected')[0];
    expect(card).toBeDefined();
    const shown = lastShown(messenger, card!)!;
    expect(shown.text.startsWith('❌ rejected')).toBe(true);
    expect(shown.buttons).toBeUndefined();
  });

  it('posts the size-span table and each warning once, however often the deploy is rendered', async () => {
    const w = world();
    const messenger = new RecordingMessenger();
    const notifier = await w.notifier(messenger);
    const script = await w.deploy();
    script.accepted().resolveAndBuild().warning().sizeSpans().state('queued');
    await w.publish(script.notices);
    const more = script.notices.length;
    script.note('reusing the cached build').state('running').started().resolveAndBuild(true).runHosts().finished().ended();
    await w.publish(script.since(more));
    await notifier.settled(script.deployId);

    const tables = posts(messenger, '📦 update packages');
    expect(tables).toHaveLength(1);
    expect(tables[0]!.channel).toBe('C0BRAZIL');
    expect(tables[0]!.message.lines).toContain('v1.1 → v1.3 : 24.8 MB');
    expect(posts(messenger, '⚠️ gray warning')).toHaveLength(1);
  });

  it('settled() resolves only after the final edit has landed', async () => {
    const w = world();
    const messenger = new RecordingNotifierMessenger();
    const notifier = await w.notifier(messenger);
    const script = await w.deploy();
    await w.publish(script.accepted().notices);
    await within(messenger.waitFor((s) => s.kind === 'post'), 10_000, 'the progress message');
    messenger.holdUpdates((message) => (message.lines ?? []).some((line) => line.startsWith('✅ success')));

    const before = script.notices.length;
    script.state('queued').state('running').started().resolveAndBuild().runHosts().finished().ended();
    await w.publish(script.since(before));
    let settled = false;
    const done = notifier.settled(script.deployId).then(() => {
      settled = true;
    });
    await within(messenger.held.promise, 10_000, 'the final edit to be sent');
    // The final state is being sent but has not landed. Nothing signals "did not resolve",
    // so give settled() ten of its polls to resolve wrongly.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);

    messenger.releaseUpdates();
    await within(done, 10_000, 'settled after the final edit');
    expect(messenger.sent.at(-1)).toMatchObject({ kind: 'update', message: renderProgress(reduceNotices(script.notices)) });
  });

  it('two notifiers on the same Redis never post a message twice, and both show the final state', async () => {
    const w = world();
    const a = new RecordingMessenger();
    const b = new RecordingMessenger();
    const [na, nb] = await Promise.all([w.notifier(a), w.notifier(b)]);
    const script = await w.deploy();
    script.accepted().resolveAndBuild().sizeSpans().awaitApproval();
    await w.publish(script.notices);
    await Promise.all([na.settled(script.deployId), nb.settled(script.deployId)]);
    const before = script.notices.length;
    script.decide('approved').state('running').started().resolveAndBuild(true).runHosts().finished().ended();
    await w.publish(script.since(before));
    await Promise.all([na.settled(script.deployId), nb.settled(script.deployId)]);

    const both = [...a.sent, ...b.sent];
    const postsOf = (prefix: string) => both.filter((s) => s.kind === 'post' && s.message.text.startsWith(prefix));
    expect(postsOf(script.deployId)).toHaveLength(1);
    expect(postsOf('🔐')).toHaveLength(1);
    expect(postsOf('📦')).toHaveLength(1);

    const progressId = postsOf(script.deployId)[0]!.id;
    const expected = renderProgress(reduceNotices(script.notices));
    for (const messenger of [a, b]) {
      const shown = messenger.sent.filter((s) => s.id === progressId && s.channel === 'C0BRAZIL').at(-1)?.message;
      expect(shown).toEqual(expected);
    }
  });

  it('renders a deploy whose notices were published before it started, when asked whether it settled', async () => {
    const w = world();
    const script = await w.deploy();
    await w.publish(script.accepted().state('refused', { reason: 'locked by bob: release freeze' }).notices);
    const messenger = new RecordingMessenger();
    const notifier = await w.notifier(messenger);
    await notifier.settled(script.deployId);
    expect(posts(messenger, script.deployId)[0]!.message.lines).toContain('reason: locked by bob: release freeze');
    expect(notifier.trackedJob(script.deployId).deployId).toBe(script.deployId);
    await notifier.trackedJob(script.deployId).idle();
  });

  it('a deploy to 1 000 hosts: every render reads only what is new, and the final state lands within 2 s of the job\'s end (5 s under load)', async () => {
    const w = world();
    const messenger = new RecordingNotifierMessenger();
    // the real editor: one edit per second per message, the workspace budget
    await w.notifier(messenger, { editorFor: throttledEditors, refreshMs: 60_000 });
    const hosts = Array.from({ length: 1000 }, (_, i) => `h${String(i).padStart(4, '0')}`);
    const script = await w.deploy({ market: 'dev', hosts });
    script.accepted().state('queued').state('running').started().resolveAndBuild(true).runHosts({ h0007: { step: 'afterDeploy', message: 'h0007: afterDeploy hook exited with 1' } });
    const read = countNoticesRead(w.bus);
    // published as the engine does, while the notifier renders what it has so far
    await w.publish(script.notices);
    await within(messenger.waitFor((s) => s.kind === 'update' && (s.message.lines ?? []).some((l) => l.includes('prune'))), 20_000, 'an edit while the hosts finish');
    const before = script.notices.length;
    script.finished().ended();
    await w.publish(script.since(before));
    const ended = Date.now();
    const final = await within(messenger.waitFor((s) => s.kind === 'update' && (s.message.lines ?? []).some((l) => l.startsWith('❌ partial'))), 20_000, 'the final edit');
    const lagMs = Date.now() - ended;
    expect(final.message).toEqual(renderProgress(reduceNotices(script.notices)));
    expect(lagMs).toBeLessThan(process.env['CI'] ? 5000 : 2000);
    // linear: each notice read (and parsed) about once, not once per render
    expect(read()).toBeLessThanOrEqual(script.notices.length * 1.05);
    const edits = messenger.sentAt.filter((_, i) => messenger.sent[i]!.kind === 'update');
    for (let i = 1; i < edits.length; i += 1) expect(edits[i]! - edits[i - 1]!).toBeGreaterThanOrEqual(900);
  }, 60_000);
});

/** Counts the notices the bus hands out (every one read from Redis and parsed). */
function countNoticesRead(bus: DeployEventBus): () => number {
  let count = 0;
  const notices = bus.notices.bind(bus);
  const noticesFrom = bus.noticesFrom.bind(bus);
  bus.notices = async (deployId) => {
    const all = await notices(deployId);
    count += all.length;
    return all;
  };
  bus.noticesFrom = async (deployId, from) => {
    const fresh = await noticesFrom(deployId, from);
    count += fresh.length;
    return fresh;
  };
  return () => count;
}
