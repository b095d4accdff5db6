// What the notifier does besides messages, with two notifier processes on one real Redis:
// deploy metrics counted from the notices by one of them only, and a failed deploy's full
// log attached once to its progress message, secrets redacted.
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployNotice } from '../../src/deploy/deploy-notice.ts';
import type { MessageRef } from '../../src/core/chat-types.ts';
import { createRedactor } from '../../src/core/redactor.ts';
import { createMetrics, type DeploybotMetrics } from '../../src/notify/metrics.ts';
import { metricsFromNotices, queueDepthSampler } from '../../src/notify/metrics-from-notices.ts';
import { Notifier } from '../../src/notify/notifier.ts';
import { redactingUploaders } from '../../src/notify/redacting-uploaders.ts';
import { DeployEventBus } from '../../src/store/deploy-event-bus.ts';
import { DeployRecords } from '../../src/store/deploy-records.ts';
import { RedisKeys } from '../../src/store/redis-keys.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { chatTestConfig } from '../fakes/chat-test-config.ts';
import { within } from '../fakes/deferred.ts';
import { RecordingMessenger } from '../fakes/recording-messenger.ts';
import { testRedis, type TestRedis } from '../fakes/test-redis.ts';
import { deployRecord, NoticeScript } from '../fixtures/notices.ts';

let server: TestRedis;
let redis: Redis;
const notifiers: Notifier[] = [];

beforeAll(async () => {
  server = await testRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  await Promise.all(notifiers.map((n) => n.stop()));
  redis.disconnect();
  await server.stop();
});

interface Upload {
  ref: MessageRef;
  filename: string;
  content: string;
}

describe('notifier extras', () => {
  it('when two notifiers render a failed deploy, then its metrics are counted once and its log is uploaded once, redacted, to the progress message', async () => {
    const keys = new RedisKeys(`t${randomUUID()}`);
    const bus = new DeployEventBus(redis, keys);
    const records = new DeployRecords(redis, keys);
    const secret = `xoxb-${randomBytes(12).toString('hex')}`;
    const messenger = new RecordingMessenger();
    const uploads: Upload[] = [];
    const metrics: DeploybotMetrics[] = [];
    for (let i = 0; i < 2; i += 1) {
      const own = createMetrics({ processMetrics: false });
      metrics.push(own);
      const notifier = new Notifier({
        bus,
        records,
        redis,
        keys,
        config: chatTestConfig(),
        messengers: { slack: messenger },
        logger: captureLogger().logger,
        blockMs: 200,
        pollMs: 20,
        observers: [metricsFromNotices(own)],
        uploadLog: redactingUploaders({ slack: async (ref, filename, content) => void uploads.push({ ref, filename, content }) }, createRedactor([secret])),
      });
      notifiers.push(notifier);
      await notifier.start();
    }

    const { id: _id, rev: _rev, ...input } = deployRecord();
    const record = await records.create(input);
    const script = new NoticeScript({ id: record.id, createdAt: record.createdAt });
    script.accepted().resolveAndBuild().state('queued').state('running').started().resolveAndBuild(true)
      .runHosts({ 'br-2': { step: 'afterDeploy', message: 'br-2: afterDeploy hook exited with 1', outputTail: ['restarting', `token ${secret} refused`] } })
      .finished().ended();
    const publish = async (notices: readonly DeployNotice[]) => {
      for (const notice of notices) {
        if ('record' in notice && notice.type !== 'job.accepted') await records.update(notice.deployId, (current) => ({ ...notice.record, rev: current.rev }));
        await bus.publish(notice);
      }
    };
    await publish(script.notices);
    await within(Promise.all(notifiers.map((n) => n.settled(record.id))), 10_000, 'both notifiers to settle');

    const progress = messenger.sent.filter((s) => s.kind === 'post' && s.message.text.startsWith(record.id));
    expect(progress).toHaveLength(1);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.ref).toEqual({ channel: 'C0BRAZIL', id: progress[0]!.id });
    expect(uploads[0]!.filename).toBe(`${record.id}.log`);
    expect(uploads[0]!.content).toContain('br-2: afterDeploy FAILED after 2 s: [host_failed] br-2: afterDeploy hook exited with 1');
    expect(uploads[0]!.content).toContain('    | token [redacted] refused');
    expect(uploads[0]!.content).not.toContain(secret);

    const outcomes = await Promise.all(metrics.map(async (m) => (await m.deploys.get()).values));
    expect(outcomes.flat()).toEqual([{ labels: { project: 'mala-core', market: 'brazil', verb: 'deploy', outcome: 'partial' }, value: 1 }]);
    const builds = await Promise.all(metrics.map(async (m) => (await m.stepDuration.get()).values.filter((v) => v.metricName === 'deploybot_step_duration_seconds_count' && v.labels.step === 'build')));
    expect(builds.flat().reduce((sum, v) => sum + v.value, 0)).toBe(2);

    // a later notice: rendered again by both, still one upload and nothing counted twice
    await publish(script.note('looked at by the on-call').since(script.notices.length - 1));
    await within(Promise.all(notifiers.map((n) => n.settled(record.id))), 10_000, 'both notifiers to settle again');
    expect(uploads).toHaveLength(1);
    const again = await Promise.all(metrics.map(async (m) => (await m.deploys.get()).values));
    expect(again.flat().map((v) => v.value)).toEqual([1]);
  });

  it('samples queue depth at scrape time, and a queue that does not answer leaves the gauge as it was', async () => {
    let answering = true;
    const queue = {
      name: 'deploys',
      getJobCounts: () => (answering ? Promise.resolve({ waiting: 2, delayed: 1, prioritized: 0, active: 1 }) : new Promise<Record<string, number>>(() => undefined)),
    };
    const metrics = createMetrics({ processMetrics: false, queueDepth: queueDepthSampler(() => [queue], 100) });
    expect(await metrics.registry.metrics()).toMatch(/^deploybot_queue_depth\{queue="deploys",state="waiting"\} 2$/m);
    answering = false;
    const started = Date.now();
    expect(await metrics.registry.metrics()).toMatch(/^deploybot_queue_depth\{queue="deploys",state="active"\} 1$/m);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
