// The deploy page in a real browser (Debian's chromium driven by playwright-core): `serve` with
// a fake Slack API, a real Redis, workers in-process, three local hosts and a real git
// repository. The page is opened from the Details link of the deploy's Slack progress message
// while one host's upload is held at a gate; the test sees that host's node change state and
// log lines arrive without a reload, then the finished page with every host done. A tampered
// token gets 403 and nothing of the deploy. Screenshots go to test-output/deploy-page/.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningServe, startServe } from '../../src/cli/run-serve.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { FakeSlackApi } from '../fakes/fake-slack-api.ts';
import { buttonClickRequest, postToSlackEndpoint, slashCommandRequest } from '../fakes/sign-slack-request.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';
import { uploadGate, type UploadGate } from '../fixtures/upload-gate.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';

const token = `xoxb-${randomBytes(12).toString('hex')}`;
const signingSecret = randomBytes(16).toString('hex');
const webSecret = randomBytes(24).toString('hex');
const log = captureLogger('info');
const OUTPUT = join(process.cwd(), 'test-output', 'deploy-page');
const HOSTS = ['web-1', 'web-2', 'web-3'];

let base: string;
let slack: FakeSlackApi;
let serve: RunningServe;
let gate: UploadGate;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  base = mkdtempSync(join(tmpdir(), 'deploybot-page-browser-'));
  const repo = makeGitRepo(join(base, 'repo'));
  const config = writeTestConfig(base, {
    hosts: Object.fromEntries(HOSTS.map((h) => [h, { local: `hosts/${h}` }])),
    markets: { dev: { approval: 'none', locations: { main: { role: 'production', hosts: HOSTS } } } },
    projects: {
      'mala-core': {
        repo: repo.dir,
        build: { command: 'sh build.sh', output: 'dist' },
        path: '/data/prod/mala-core',
        releasesDir: '/data/codes/mala-core',
        hooks: { afterDeploy: 'echo "restarted on $HOST"' },
        markets: ['dev'],
      },
    },
    chat: { slack: { defaultChannel: 'C0DEV' } },
  });
  gate = uploadGate(config);
  slack = await FakeSlackApi.start({ token });
  serve = await startServe({
    config,
    env: { REDIS_URL: inject('redisUrl'), SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.apiUrl, DEPLOYBOT_WEB_SECRET: webSecret, HOST: '127.0.0.1' },
    logger: log.logger,
    say: (line) => log.logger.info(line),
    port: 0,
    dataDir: join(base, 'var'),
    prefix: `page-browser-${randomBytes(4).toString('hex')}`,
    transport: gate.factory,
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
}, 120_000);

afterAll(async () => {
  gate?.releaseAll();
  await browser?.close();
  await serve?.stop();
  await slack?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

/** The URL of the Details link button on the deploy's progress message, once posted. */
async function detailsLink(deployId: string): Promise<string> {
  const calls = await slack.waitForCalls('chat.postMessage', 1, (c) => String(c.params.text).startsWith(`${deployId} · `), 30_000);
  const blocks = JSON.parse(JSON.stringify(calls[0]!.params.blocks ?? [])) as Array<{ type: string; elements?: Array<{ url?: string; text?: { text: string } }> }>;
  const link = blocks.flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : [])).find((e) => e.text?.text === 'Details');
  if (!link?.url) throw new Error(`no Details link on ${deployId}'s progress message`);
  return link.url;
}

describe('the deploy page in a browser', () => {
  it('when a deploy runs, then its page from the Slack link shows host nodes changing and log lines arriving live, and at the end every host done', async () => {
    const held = gate.holdNext('web-2');
    const ack = await postToSlackEndpoint(`${serve.http.url}/slack/events`, slashCommandRequest({ command: '/deploy', text: 'mala-core dev v1', userId: 'U01ALICE', channelId: 'C0DEV' }, { signingSecret }));
    expect(ack.status).toBe(200);
    const answer = await slack.waitForCalls('chat.postEphemeral', 1, (c) => /accepted/.test(String(c.params.text)), 30_000);
    const deployId = /^(d-\d{8}-\d{4}) accepted/.exec(String(answer[0]!.params.text))![1]!;
    await held.reached;

    const url = await detailsLink(deployId);
    expect(url.startsWith(`${serve.http.url}/deploys/${deployId}?t=`)).toBe(true);
    // Slack also tells the app a link button was clicked: acknowledged, and nothing is run
    const answersBefore = slack.callsTo('chat.postEphemeral').length;
    const click = await postToSlackEndpoint(`${serve.http.url}/slack/events`, buttonClickRequest({ actionId: 'deploybot_link_0', value: '', userId: 'U01ALICE', channelId: 'C0DEV', messageTs: '1.0', label: 'Details' }, { signingSecret }));
    expect(click.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
    page.on('pageerror', (e) => void problems.push(e.message));
    const response = await page.goto(url);
    expect(response!.status()).toBe(200);
    const csp = response!.headers()['content-security-policy']!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');

    const node = (host: string, step: string) => page.locator(`[data-host="${host}"][data-host-step="${step}"]`);
    await page.locator('#deploy[data-live="open"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => node('web-2', 'distribute').getAttribute('data-state'), { timeout: 20_000 }).toBe('running');
    await expect.poll(() => node('web-1', 'distribute').getAttribute('data-state'), { timeout: 20_000 }).toBe('done');
    expect(await node('web-2', 'link').getAttribute('data-state')).toBe('pending');
    const linesBefore = (await page.locator('#log').textContent())!.split('\n').length;
    await page.screenshot({ path: join(OUTPUT, 'running.png'), fullPage: true });

    held.release();
    // the same document, updated: no navigation happened
    await expect.poll(() => node('web-2', 'link').getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    await page.locator('#deploy[data-live="ended"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#deploy').getAttribute('data-state')).toBe('success');
    for (const host of HOSTS) expect(await page.locator(`[data-host-row="${host}"]`).getAttribute('data-state')).toBe('done');
    const logText = (await page.locator('#log').textContent())!;
    expect(logText.split('\n').length).toBeGreaterThan(linesBefore);
    expect(logText).toContain('web-2: link done');
    expect(logText).toContain('finished success');
    await page.screenshot({ path: join(OUTPUT, 'finished.png'), fullPage: true });
    copyFileSync(join(OUTPUT, 'finished.png'), '/work/notes/deploy-page.png');
    expect(problems).toEqual([]);
    expect(slack.callsTo('chat.postEphemeral').length).toBe(answersBefore);

    // a reload of the finished page renders it whole on the server, without the live script
    await page.reload();
    expect(await page.locator('#deploy').getAttribute('data-state')).toBe('success');
    for (const host of HOSTS) expect(await page.locator(`[data-host-row="${host}"]`).getAttribute('data-state')).toBe('done');

    // a tampered token: 403 and nothing of the deploy
    const tampered = url.replace(/t=(\d+)\.([0-9a-f])/, (_m, expiry: string, first: string) => `t=${expiry}.${first === '0' ? '1' : '0'}`);
    expect(tampered).not.toBe(url);
    const denied = await page.goto(tampered);
    expect(denied!.status()).toBe(403);
    const body = await page.content();
    for (const secret of [deployId, 'mala-core', 'web-1', 'v1']) expect(body).not.toContain(secret);
    await page.close();
  }, 120_000);
});
