// The HTTP surface as a real server on port 0: /hooks/upload, /healthz, /metrics, routing.
// Replays are recognised through the real Redis (several servers share one, as several
// `serve` processes do).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.ts';
import { redisHealthCheck } from '../../src/http/health-route.ts';
import { type HttpServerOptions, type RunningHttpServer, startHttpServer } from '../../src/http/start-http-server.ts';
import type { UploadHookOptions } from '../../src/http/upload-hook-route.ts';
import { RedisKeys } from '../../src/store/redis-keys.ts';
import { RedisReplayGuard } from '../../src/store/redis-replay-guard.ts';
import { signBody } from '../../src/http/verify-hmac-signature.ts';
import { createMetrics } from '../../src/notify/metrics.ts';
import { startLocalRedis } from '../../src/services/local-redis.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { chatTestConfig } from '../fakes/chat-test-config.ts';
import { RecordingMessenger } from '../fakes/recording-messenger.ts';
import { type TestRedis, testRedis } from '../fakes/test-redis.ts';
import { type TestReplayGuard, testReplayGuard } from '../fakes/test-replay-guard.ts';

const uploadSecret = randomBytes(24).toString('hex');
const config = chatTestConfig();
const log = captureLogger();
const servers: RunningHttpServer[] = [];

async function serve(overrides: Partial<HttpServerOptions> = {}): Promise<RunningHttpServer> {
  const server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    logger: log.logger,
    health: { redis: async () => 'PONG', zookeeper: 'embedded' },
    ...overrides,
  });
  servers.push(server);
  return server;
}

afterAll(async () => {
  for (const server of servers) await server.stop();
});

/** POSTs a notice, signed with the right secret unless a signature (or `null`: none) is given. */
function upload(url: string, body: unknown, signature?: string | null) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (signature === undefined) signature = signBody(uploadSecret, text);
  return fetch(`${url}/hooks/upload`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-deploybot-signature': signature }) },
    body: text,
  });
}

describe('POST /hooks/upload', () => {
  const messenger = new RecordingMessenger();
  let url: string;
  let replay: TestReplayGuard;
  const notice = { project: 'mala-client', market: 'brazil', platform: 'android', file: 'mala-client-c-7.apk', size: 24_800_000, fromVersion: 'c-3', toVersion: 'c-7' };
  const hook = (overrides: Partial<UploadHookOptions> = {}): UploadHookOptions => ({ secret: new Secret(uploadSecret, 'UPLOAD_HOOK_SECRET'), config, messenger, replayGuard: replay.guard, logger: log.logger, ...overrides });

  beforeAll(async () => {
    replay = await testReplayGuard();
    url = (await serve({ uploadHook: hook() })).url;
  });
  afterAll(async () => {
    await replay?.close();
  });
  beforeEach(() => {
    messenger.sent.length = 0;
  });

  it('when the signature is good, then 202 and the notice is posted to the project/market channel', async () => {
    const response = await upload(url, notice);
    expect(response.status).toBe(202);
    expect(messenger.sent).toEqual([{ kind: 'post', channel: 'C0CLIENTBR', message: { text: 'mala-client android: c-3 → c-7, 24.8 MB' }, id: expect.any(String) }]);
  });

  it('without a market it goes to the project\'s first channel, and with no channel at all to the default one', async () => {
    const { market: _market, ...withoutMarket } = notice;
    expect((await upload(url, withoutMarket)).status).toBe(202);
    expect((await upload(url, { ...withoutMarket, project: 'api', platform: 'ios', size: 1_250_000 })).status).toBe(202);
    expect(messenger.sent.map((sent) => [sent.channel, sent.message.text])).toEqual([
      ['C0CLIENTDEV', 'mala-client android: c-3 → c-7, 24.8 MB'],
      ['C0DEFAULT', 'api ios: c-3 → c-7, 1.3 MB'],
    ]);
  });

  it('when the signature is bad or missing, then 401 and nothing is posted', async () => {
    expect((await upload(url, notice, signBody(randomBytes(24).toString('hex'), JSON.stringify(notice)))).status).toBe(401);
    expect((await upload(url, notice, null)).status).toBe(401);
    expect((await upload(url, notice, 'sha256=nothex')).status).toBe(401);
    expect((await upload(url, { ...notice, size: 1 }, signBody(uploadSecret, JSON.stringify(notice)))).status).toBe(401);
    expect(messenger.sent).toEqual([]);
  });

  it('when the project or market is unknown, then 404 and nothing is posted', async () => {
    const unknownProject = await upload(url, { ...notice, project: 'nope' });
    expect(unknownProject.status).toBe(404);
    expect(await unknownProject.json()).toEqual({ error: 'unknown project "nope"' });
    expect((await upload(url, { ...notice, market: 'mars' })).status).toBe(404);
    expect(messenger.sent).toEqual([]);
  });

  it('when the project is a name every object has (constructor, __proto__, toString …), then 404 and nothing is posted or remembered', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf']) {
      const { market: _market, ...withoutMarket } = notice;
      const response = await upload(url, { ...withoutMarket, project: name, file: `${name}.apk` });
      expect({ name, status: response.status, body: await response.json() }).toEqual({ name, status: 404, body: { error: `unknown project "${name}"` } });
      // a real project with an inherited market name is refused the same way
      expect((await upload(url, { ...notice, market: name, file: `${name}-market.apk` })).status).toBe(404);
    }
    expect(messenger.sent).toEqual([]);
    expect(await replay.claims()).not.toContainEqual(expect.stringContaining('constructor'));
  });

  it('when a signed body is sent again (also with the signature spelled in capitals, also to another server), then 200 {"duplicate": true} and it is posted once', async () => {
    const body = JSON.stringify({ ...notice, file: 'mala-client-c-8.apk', toVersion: 'c-8' });
    const first = await upload(url, body);
    expect(first.status).toBe(202);
    const again = await upload(url, body);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: true });
    const shouted = await upload(url, body, `sha256=${signBody(uploadSecret, body).slice('sha256='.length).toUpperCase()}`);
    expect(await shouted.json()).toEqual({ duplicate: true });
    const other = await serve({ uploadHook: hook() });
    expect(await (await upload(other.url, body)).json()).toEqual({ duplicate: true });
    expect(messenger.sent.map((sent) => sent.message.text)).toEqual(['mala-client android: c-3 → c-8, 24.8 MB']);
    const ttl = await replay.redis.ttl(replay.keys.seen('upload', signBody(uploadSecret, body).slice('sha256='.length)));
    expect(ttl).toBeGreaterThan(24 * 3600 - 60);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
  });

  it('when the notice cannot be posted, then 502 and the same body may be sent again (it was not accepted)', async () => {
    const body = JSON.stringify({ ...notice, file: 'mala-client-c-9.apk', toVersion: 'c-9' });
    const failing = new RecordingMessenger();
    failing.post = async () => { throw new Error('chat is down'); };
    const broken = await serve({ uploadHook: hook({ messenger: failing }) });
    expect((await upload(broken.url, body)).status).toBe(502);
    expect((await upload(url, body)).status).toBe(202);
    expect(messenger.sent.map((sent) => sent.message.text)).toEqual(['mala-client android: c-3 → c-9, 24.8 MB']);
  });

  it('when Redis does not answer, then 503 and nothing is posted', async () => {
    const doomed = await startLocalRedis();
    const client = new Redis(doomed.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    try {
      await client.ping();
      await doomed.stop();
      const server = await serve({ uploadHook: hook({ replayGuard: new RedisReplayGuard(client, new RedisKeys('gone')) }) });
      const response = await upload(server.url, { ...notice, file: 'mala-client-c-10.apk' });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: 'the state store (Redis) is unreachable, so replays cannot be recognised; nothing was posted, try again later' });
      expect(messenger.sent).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it('when the body is not a valid notice, then 400 naming the field', async () => {
    const negative = await upload(url, { ...notice, size: -1 });
    expect(negative.status).toBe(400);
    expect(JSON.stringify(await negative.json())).toContain('size');
    expect((await upload(url, { ...notice, platform: undefined })).status).toBe(400);
    expect((await upload(url, 'not json')).status).toBe(400);
    expect(messenger.sent).toEqual([]);
  });

  it('when UPLOAD_HOOK_SECRET is not set, then every upload is refused', async () => {
    const server = await serve({ uploadHook: hook({ secret: undefined }) });
    expect((await upload(server.url, notice)).status).toBe(503);
    expect(messenger.sent).toEqual([]);
  });

  it('never logs the secret', () => {
    expect(log.text()).not.toContain(uploadSecret);
  });
});

describe('GET /healthz', () => {
  let redisServer: TestRedis;
  let redis: Redis;

  beforeAll(async () => {
    redisServer = await testRedis();
    redis = new Redis(redisServer.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('answers 200 when Redis answers and ZooKeeper is embedded', async () => {
    const server = await serve({ health: { redis: redisHealthCheck(redis), zookeeper: 'embedded' } });
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, redis: 'ok', zookeeper: 'embedded' });
  });

  it('answers 503 naming ZooKeeper when its check fails, and a hung check times out', async () => {
    const failing = await serve({ health: { redis: redisHealthCheck(redis), zookeeper: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:2181'); } } });
    const response = await fetch(`${failing.url}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ok: false, redis: 'ok', zookeeper: 'connect ECONNREFUSED 127.0.0.1:2181' });

    const hung = await serve({ health: { redis: redisHealthCheck(redis), zookeeper: () => new Promise(() => undefined), timeoutMs: 200 } });
    const started = Date.now();
    const slow = await fetch(`${hung.url}/healthz`);
    expect(slow.status).toBe(503);
    expect(await slow.json()).toEqual({ ok: false, redis: 'ok', zookeeper: 'the check timed out after 200 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('answers 503 naming Redis when the Redis server is gone', async () => {
    const doomed = await startLocalRedis();
    const client = new Redis(doomed.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => undefined); // the refused reconnects are the point here
    try {
      await client.ping();
      await doomed.stop();
      const server = await serve({ health: { redis: redisHealthCheck(client), zookeeper: 'embedded', timeoutMs: 1000 } });
      const response = await fetch(`${server.url}/healthz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { ok: boolean; redis: string; zookeeper: string };
      expect(body.ok).toBe(false);
      expect(body.redis).not.toBe('ok');
      expect(body.zookeeper).toBe('embedded');
    } finally {
      client.disconnect();
    }
  });
});

describe('GET /metrics and routing', () => {
  it('serves the registry in the Prometheus text format', async () => {
    const metrics = createMetrics({ queueDepth: async () => ({ deploys: { waiting: 3, active: 1 } }) });
    metrics.deploys.inc({ project: 'mala-core', market: 'brazil', verb: 'deploy', outcome: 'success' });
    metrics.stepDuration.observe({ step: 'distribute', outcome: 'success' }, 12.5);
    metrics.chatRateLimited.inc({ platform: 'slack', method: 'chat.update' });
    const server = await serve({ metricsRegistry: metrics.registry });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('deploybot_deploys_total{project="mala-core",market="brazil",verb="deploy",outcome="success"} 1');
    expect(text).toContain('deploybot_step_duration_seconds_count{step="distribute",outcome="success"} 1');
    expect(text).toContain('deploybot_queue_depth{queue="deploys",state="waiting"} 3');
    expect(text).toContain('deploybot_chat_rate_limited_total{platform="slack",method="chat.update"} 1');
    expect(text).toContain('# TYPE deploybot_chat_api_errors_total counter');
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('when METRICS_TOKEN is set, then only `Authorization: Bearer <token>` is answered; anything else is 401 without metrics', async () => {
    const token = randomBytes(16).toString('hex');
    const metrics = createMetrics({ processMetrics: false });
    metrics.deploys.inc({ project: 'mala-core', market: 'brazil', verb: 'deploy', outcome: 'success' });
    const server = await serve({ metricsRegistry: metrics.registry, metricsToken: new Secret(token, 'METRICS_TOKEN') });
    const get = (authorization?: string) => fetch(`${server.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
    for (const wrong of [undefined, '', 'Bearer', `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, `Basic ${token}`, token, `Bearer ${token.toUpperCase()}`]) {
      const response = await get(wrong);
      const text = await response.text();
      expect({ wrong, status: response.status }).toEqual({ wrong, status: 401 });
      expect(text).not.toContain('deploybot_deploys_total');
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
    }
    const ok = await get(`Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('deploybot_deploys_total{project="mala-core",market="brazil",verb="deploy",outcome="success"} 1');
    expect(log.text()).not.toContain(token);
  });

  it('answers 404 for what is not configured or not there, and 405 for the wrong method', async () => {
    const server = await serve();
    expect((await fetch(`${server.url}/slack/events`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.url}/hooks/upload`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
    const wrongMethod = await fetch(`${server.url}/healthz`, { method: 'POST' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });
});
