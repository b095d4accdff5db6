// `deploybot serve` when Slack cannot be reached at start: a fake Slack Web API that takes
// requests and never answers, or drops every connection. The HTTP surface and the workers
// come up at once, the Slack adapter retries with a bounded back-off and logs what it waits
// for, /healthz reports `slack: "<error>"`; once Slack answers, slash commands are answered.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { type RunningServe, startServe } from '../../src/cli/run-serve.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { FakeSlackApi } from '../fakes/fake-slack-api.ts';
import { postToSlackEndpoint, slashCommandRequest } from '../fakes/sign-slack-request.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

const token = `xoxb-${randomBytes(12).toString('hex')}`;
const signingSecret = randomBytes(16).toString('hex');

let base: string;
let config: Config;
let slack: FakeSlackApi;
const running: RunningServe[] = [];

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-serve-slack-down-'));
  config = marketTestConfig(base, join(base, 'repo'));
  slack = await FakeSlackApi.start({ token });
});

afterAll(async () => {
  for (const serve of running) await serve.stop();
  await slack?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

async function serveWhileSlackIs(outage: 'hang' | 'drop'): Promise<{ serve: RunningServe; log: ReturnType<typeof captureLogger>; said: string[]; startedInMs: number }> {
  slack.outage(outage);
  const log = captureLogger('info');
  const said: string[] = [];
  const started = Date.now();
  const serve = await startServe({
    config,
    env: { REDIS_URL: inject('redisUrl'), SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.apiUrl },
    logger: log.logger,
    say: (line) => said.push(line),
    port: 0,
    host: '127.0.0.1',
    dataDir: join(base, `var-${outage}`),
    prefix: `serve-slack-down-${randomBytes(4).toString('hex')}`,
    slack: { startupWait: { baseMs: 200, maxMs: 800, attemptTimeoutMs: 500 } },
  });
  running.push(serve);
  return { serve, log, said, startedInMs: Date.now() - started };
}

async function health(serve: RunningServe): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${serve.http.url}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('deploybot serve when Slack cannot be reached', () => {
  it('when the Slack API does not answer, then HTTP and workers are up at once, /healthz names the wait, and Slack starts once it answers', async () => {
    const { serve, log, said, startedInMs } = await serveWhileSlackIs('hang');
    expect(startedInMs).toBeLessThan(15_000);
    expect(said.join('\n')).toMatch(/slack: waiting for the Slack Web API \(unreachable: .*timeout.*\); retrying in the background/);
    expect(said.join('\n')).toMatch(/deploybot serve \d+ ready/);
    expect(serve.bot.jobs.worker?.isRunning()).toBe(true);

    const down = await health(serve);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ ok: true, redis: 'ok', zookeeper: 'embedded' });
    expect(String(down.body.slack)).toMatch(/^unreachable: .*timeout/);
    // it keeps trying, saying what it waits for each time, with a bounded pause
    await waitUntil(() => log.lines.filter((line) => line.includes('waiting for Slack: auth.test at')).length >= 3, { what: 'three logged waits', timeoutMs: 20_000 });
    expect(log.text()).toMatch(/waiting for Slack: auth\.test at http:\/\/127\.0\.0\.1:\d+\/api\/ failed \([^)]*timeout[^)]*\); retrying in \d+ ms/);
    // a command that arrives meanwhile is refused plainly (Slack shows the user an error)
    const early = await postToSlackEndpoint(`${serve.http.url}/slack/events`, slashCommandRequest({ command: '/deploy', text: '', userId: 'U01ALICE', channelId: 'C0X' }, { signingSecret }));
    expect(early.status).toBe(503);

    slack.outage(undefined);
    await waitUntil(async () => (await health(serve)).body.slack === 'ok', { what: 'slack to be ok on /healthz', timeoutMs: 20_000 });
    const before = slack.callsTo('chat.postEphemeral').length;
    const answered = await postToSlackEndpoint(`${serve.http.url}/slack/events`, slashCommandRequest({ command: '/deploy', text: '', userId: 'U01ALICE', channelId: 'C0X' }, { signingSecret }));
    expect(answered.status).toBe(200);
    const [reply] = (await slack.waitForCalls('chat.postEphemeral', before + 1, () => true, 20_000)).slice(before);
    expect(String(reply?.params.text)).toContain('usage: deploy');
    expect(log.text()).not.toContain(token);
  }, 90_000);

  it('when every connection to Slack is dropped, then /healthz reports the error and stop ends the wait', async () => {
    const { serve, said } = await serveWhileSlackIs('drop');
    expect(said.join('\n')).toMatch(/deploybot serve \d+ ready/);
    const { status, body } = await health(serve);
    expect(status).toBe(200);
    expect(String(body.slack)).toMatch(/^unreachable: /);
    expect(body.slack).not.toBe('unreachable: ');
    running.splice(running.indexOf(serve), 1);
    await serve.stop();
    slack.outage(undefined);
  }, 60_000);
});
