// A deploy's notices on a real Redis: appended in the order emitted, however fast they come,
// in far fewer round trips than notices; announced once per append; the list expires; and a
// failed append is reported without stopping the ones after it.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployNotice } from '../../src/deploy/deploy-notice.ts';
import { batchingPublisher } from '../../src/store/batching-publisher.ts';
import { DeployEventBus } from '../../src/store/deploy-event-bus.ts';
import { RedisKeys } from '../../src/store/redis-keys.ts';
import { testRedis, type TestRedis } from '../fakes/test-redis.ts';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await testRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const bytes = (deployId: string, i: number) => ({ type: 'host.bytes', deployId, at: new Date(Date.UTC(2026, 11, 1, 0, 0, 0, i)).toISOString(), host: `h${i}`, sent: i, total: 3000 }) as DeployNotice;

describe('batchingPublisher', () => {
  it('when 3 000 notices are emitted at once, then all are in the deploy\'s list in order, announced in a few appends, and the list expires', async () => {
    const keys = new RedisKeys(`t${randomUUID()}`);
    const bus = new DeployEventBus(redis, keys);
    const errors: unknown[] = [];
    const publisher = batchingPublisher(bus, (error) => errors.push(error));
    const deployId = 'd-20261201-0001';
    const emitted = Array.from({ length: 3000 }, (_, i) => bytes(deployId, i));
    for (const notice of emitted) publisher.publish(notice);
    await publisher.flush();

    expect(errors).toEqual([]);
    expect(await bus.notices(deployId)).toEqual(emitted);
    const announcements = await redis.xlen(keys.events());
    // the first append takes one notice, the next all that piled up meanwhile (500 per script call)
    expect(announcements).toBeGreaterThanOrEqual(2);
    expect(announcements).toBeLessThanOrEqual(10);
    const ttl = await redis.ttl(keys.deployEvents(deployId));
    expect(ttl).toBeGreaterThan(13 * 24 * 3600);

    // more later: appended after the first ones, the expiry not reset by an existing list
    await redis.expire(keys.deployEvents(deployId), 1000);
    publisher.publish(bytes(deployId, 3000));
    await publisher.flush();
    expect((await bus.noticesFrom(deployId, 3000)).map((n) => (n as { host: string }).host)).toEqual(['h3000']);
    expect(await redis.ttl(keys.deployEvents(deployId))).toBeLessThanOrEqual(1000);
  });

  it('when an append fails, then it is reported with its count and the notices after it are still appended', async () => {
    const keys = new RedisKeys(`t${randomUUID()}`);
    const bus = new DeployEventBus(redis, keys);
    const deployId = 'd-20261201-0002';
    // a key of the wrong type makes RPUSH fail for this deploy only
    await redis.set(keys.deployEvents(deployId), 'not a list');
    const errors: { error: unknown; count: number }[] = [];
    const publisher = batchingPublisher(bus, (error, count) => errors.push({ error, count }));
    publisher.publish(bytes(deployId, 0));
    publisher.publish(bytes(deployId, 1));
    await publisher.flush();
    expect(errors).toHaveLength(2);
    expect(errors.map((e) => e.count)).toEqual([1, 1]);
    expect(String(errors[0]!.error)).toMatch(/WRONGTYPE/);

    await redis.del(keys.deployEvents(deployId));
    publisher.publish(bytes(deployId, 2));
    await publisher.flush();
    expect((await bus.notices(deployId)).map((n) => (n as { host: string }).host)).toEqual(['h2']);
  });

  it('refuses to append the notices of two deploys in one call', async () => {
    const bus = new DeployEventBus(redis, new RedisKeys(`t${randomUUID()}`));
    await expect(bus.publishAll([bytes('d-20261201-0003', 0), bytes('d-20261201-0004', 1)])).rejects.toThrow(/one deploy/);
  });
});
