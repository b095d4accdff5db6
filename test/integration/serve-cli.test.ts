// `deploybot serve` as a process, the way an operator runs it: without chat credentials it
// still serves HTTP and runs workers and says which adapters are off; /healthz reports Redis
// and the embedded store; SIGTERM stops it; a dead Redis shows on /healthz within 10 s.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalRedis } from '../../src/services/local-redis.ts';
import { within } from '../fakes/deferred.ts';
import { FakeSlackApi } from '../fakes/fake-slack-api.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

const BIN = join(import.meta.dirname, '../../bin/deploybot.js');
const CHAT_ENV = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_API_URL', 'DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET', 'UPLOAD_HOOK_SECRET'];

let base: string;
let configFile: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-serve-cli-'));
  marketTestConfig(base, join(base, 'repo'));
  configFile = join(base, 'deploybot.yaml');
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(base, { recursive: true, force: true });
});

interface Serve {
  child: ChildProcessWithoutNullStreams;
  output(): { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** Spawns the real bin with a clean chat environment. */
function spawnServe(args: string[], env: NodeJS.ProcessEnv): Serve {
  const clean = { ...process.env };
  for (const name of CHAT_ENV) delete clean[name];
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: join(import.meta.dirname, '../..'),
    env: { ...clean, DEPLOYBOT_CONFIG: '', PORT: '0', LOG_LEVEL: 'warn', DEPLOYBOT_DATA: join(base, `var-${randomBytes(3).toString('hex')}`), DEPLOYBOT_REDIS_PREFIX: `serve-cli-${randomBytes(4).toString('hex')}`, ...env },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'close').then(([code]) => code as number | null);
  return { child, output: () => ({ stdout, stderr }), exited };
}

/** Resolves with the HTTP base URL once serve says it is ready (or rejects with what it printed). */
async function ready(serve: Serve): Promise<string> {
  const url = await within(new Promise<string>((resolve, reject) => {
    const look = () => {
      const { stdout } = serve.output();
      const listening = /http listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (listening && /deploybot serve \d+ ready/.test(stdout)) resolve(listening[1]!);
    };
    serve.child.stdout.on('data', look);
    void serve.exited.then((code) => reject(new Error(`serve exited ${code} before it was ready:\n${serve.output().stdout}\n${serve.output().stderr}`)));
    look();
  }), 30_000, 'serve to be ready');
  return url;
}

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('deploybot serve', () => {
  it('when no chat credentials are set, then it still serves HTTP and runs workers, says which adapters are off, and exits on SIGTERM', async () => {
    const serve = spawnServe(['--config', configFile], { REDIS_URL: inject('redisUrl') });
    const url = await ready(serve);
    const { stdout } = serve.output();
    expect(stdout).toContain('slack: off — SLACK_BOT_TOKEN is not set');
    expect(stdout).toContain('dingtalk: off — DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET are not both set');
    expect(stdout).toContain('upload hook: off — UPLOAD_HOOK_SECRET is not set');
    expect(stdout).toContain('workers: on');

    const answer = await fetch(`${url}/healthz`);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('{"ok":true,"redis":"ok","zookeeper":"embedded"}');
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^deploybot_queue_depth\{queue="deploys",state="waiting"\} 0$/m);
    expect((await fetch(`${url}/slack/events`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${url}/hooks/upload`, { method: 'POST' })).status).toBe(404);

    serve.child.kill('SIGTERM');
    expect(await within(serve.exited, 20_000, 'serve to exit')).toBe(0);
    expect(serve.output().stdout).toContain('deploybot serve: stopped');
  });

  it('when Redis stops, then /healthz answers 503 naming redis within 10 s, and SIGTERM still ends it', async () => {
    const redis = await startLocalRedis();
    let redisRunning = true;
    const stopRedis = async () => {
      if (!redisRunning) return;
      redisRunning = false;
      await redis.stop();
    };
    try {
      const serve = spawnServe(['--config', configFile, '--no-workers'], { REDIS_URL: redis.url });
      const url = await ready(serve);
      expect(serve.output().stdout).toContain('workers: off');
      expect(await health(url)).toEqual({ status: 200, body: { ok: true, redis: 'ok', zookeeper: 'embedded' } });

      await stopRedis();
      const stoppedAt = Date.now();
      let seen = await health(url);
      // /healthz is the thing under test: ask it until it tells, or 10 s have passed
      while (seen.status === 200 && Date.now() - stoppedAt < 10_000) {
        await delay(250);
        seen = await health(url);
      }
      expect(seen.status).toBe(503);
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
      expect(seen.body).toMatchObject({ ok: false, zookeeper: 'embedded' });
      expect(seen.body.redis).toEqual(expect.any(String));
      expect(seen.body.redis).not.toBe('ok');

      serve.child.kill('SIGTERM');
      expect(await within(serve.exited, 20_000, 'serve to exit without Redis')).toBe(1);
      expect(serve.output().stderr).toContain('Redis has not answered');
    } finally {
      await stopRedis();
    }
  });

  it('when the Slack bot token is refused, then it exits 1 saying what to check, without the token', async () => {
    const token = `xoxb-${randomBytes(12).toString('hex')}`;
    const slack = await FakeSlackApi.start({ token: `xoxb-${randomBytes(12).toString('hex')}` });
    try {
      const serve = spawnServe(['--config', configFile], { REDIS_URL: inject('redisUrl'), SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'), SLACK_API_URL: slack.apiUrl });
      expect(await within(serve.exited, 20_000, 'serve to refuse the token')).toBe(1);
      expect(serve.output().stderr).toContain('deploybot serve: Slack did not accept SLACK_BOT_TOKEN (auth.test: invalid_auth); check the token and SLACK_API_URL');
      expect(serve.output().stdout + serve.output().stderr).not.toContain(token);
    } finally {
      await slack.close();
    }
  });

  it('when the config is invalid or REDIS_URL is missing, then it refuses to start and says why', async () => {
    const broken = join(base, 'broken.yaml');
    writeFileSync(broken, 'hosts: { a: { local: a } }\nmarkets: { dev: { locations: { main: { role: production, hosts: [a, ghost] } } } }\nprojects: {}\n');
    const invalid = spawnServe(['--config', broken], { REDIS_URL: inject('redisUrl') });
    expect(await within(invalid.exited, 20_000, 'serve to refuse the config')).toBe(1);
    expect(invalid.output().stderr).toContain('markets.dev.locations.main.hosts.1: unknown host "ghost"');
    expect(invalid.output().stdout).not.toContain('ready');

    const noRedis = spawnServe(['--config', configFile], { REDIS_URL: '' });
    expect(await within(noRedis.exited, 20_000, 'serve to refuse a missing REDIS_URL')).toBe(1);
    expect(noRedis.output().stderr).toContain('set REDIS_URL');
  });
});
