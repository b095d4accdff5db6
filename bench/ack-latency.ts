// Benchmark (not a CI gate): how fast a command is acknowledged.
//   Slack  signed slash-command POSTs to the real Bolt app (HTTP mode, on the real HTTP surface,
//          with the real router and job layer behind it, against the fake Slack Web API), timed
//          until the HTTP 200 ack; baseline in the same run, alternating request by request: the
//          same signed POST to a bare `node:http` server that answers 200 at once. Also the time
//          until the command's answer reaches the (fake) Web API.
//   console `deploybot console` as a child process (bin/deploybot.js, stdin/stdout pipes): the
//          time from writing a line to the first line of its answer, per kind of command.
//
//   node --import tsx bench/ack-latency.ts [--commands 200] [--console 30]
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { postToSlackEndpoint, slashCommandRequest } from '../test/fakes/sign-slack-request.ts';
import { makeGitRepo } from '../test/fixtures/make-git-repo.ts';
import { localMarketsConfig, startSlackStack, type SlackStack } from './support/slack-stack.ts';

const { values } = parseArgs({ options: { commands: { type: 'string', default: '200' }, console: { type: 'string', default: '30' } } });
const commands = Number(values.commands);
const consoleRounds = Number(values.console);
const WARM_UP = 20;

const base = mkdtempSync(join(tmpdir(), 'deploybot-bench-ack-'));
let stack: SlackStack | undefined;
const bare = createServer((req, res) => {
  req.resume();
  res.writeHead(200).end();
});
try {
  const repo = makeGitRepo(join(base, 'repo'), { tags: ['v1'] });
  const config = localMarketsConfig(base, repo.dir, { dev: 1 });
  stack = await startSlackStack({ config, dataDir: join(base, 'var') });
  bare.listen(0, '127.0.0.1');
  await once(bare, 'listening');
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/slack/events`;
  const s = stack;
  const loadBefore = loadText();

  // ---- Slack: POST → 200 ack, against a bare node:http server, alternating ----
  console.log(`slack: ${WARM_UP} warm-up + ${commands} signed /status commands, alternating with the bare server …`);
  const ackMs: number[] = [];
  const answerMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < WARM_UP + commands; i += 1) {
    const botFirst = i % 2 === 0;
    const one = async (target: 'bot' | 'bare') => {
      const request = slashCommandRequest({ command: '/status', text: 'mala-core dev', userId: 'U01ALICE', channelId: 'C0DEPLOYS', responseUrl: s.slack.responseUrl('bench') }, { signingSecret: s.signingSecret });
      if (target === 'bare') {
        const started = performance.now();
        const response = await postToSlackEndpoint(bareUrl, request);
        const ms = performance.now() - started;
        if (response.status !== 200) throw new Error(`bare server answered ${response.status}`);
        if (i >= WARM_UP) bareMs.push(ms);
        return;
      }
      const mark = s.slack.calls.length;
      const wallStart = Date.now();
      const started = performance.now();
      const response = await postToSlackEndpoint(s.eventsUrl, request);
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`/slack/events answered ${response.status}: ${response.body}`);
      // the answer (chat.postMessage in the channel) before the next command, so acks are timed on an idle bot
      const [answer] = await s.slack.log.waitFor((c) => (c.method === 'chat.postMessage' || c.method === 'chat.postEphemeral') && s.slack.calls.indexOf(c) >= mark, 1, 'the /status answer', 10_000);
      if (i >= WARM_UP) {
        ackMs.push(ms);
        answerMs.push(answer!.at - wallStart);
      }
    };
    if (botFirst) {
      await one('bot');
      await one('bare');
    } else {
      await one('bare');
      await one('bot');
    }
  }

  // ---- console: a line → the first line of its answer ----
  console.log(`console: deploybot console as a child process, ${consoleRounds} rounds of each line …`);
  const consoleRows = await measureConsole(s, join(base, 'deploybot.yaml'), join(base, 'var-console'));
  const loadAfter = loadText();

  console.log(`\nSlack slash command → HTTP 200 ack (${commands} commands, after ${WARM_UP} warm-up; signed POST over keep-alive HTTP on 127.0.0.1; alternating with the baseline):\n`);
  console.log('target | p50 ms | p90 ms | p99 ms | max ms | p50 ratio | p99 ratio');
  console.log('------ | ------ | ------ | ------ | ------ | --------- | ---------');
  console.log(`bare node:http, 200 at once | ${row(bareMs)} | 1.00× | 1.00×`);
  console.log(`**Bolt /slack/events (deploybot)** | ${row(ackMs)} | ${ratio(pct(ackMs, 50), pct(bareMs, 50))} | ${ratio(pct(ackMs, 99), pct(bareMs, 99))}`);
  console.log(`(after the ack) POST → the /status answer at the Web API | ${row(answerMs)} | | `);
  console.log(`\nconsole: a line written to deploybot console's stdin → the first line of its answer (${consoleRounds} rounds; n = samples):\n`);
  console.log('line | n | p50 ms | p90 ms | p99 ms | max ms');
  console.log('---- | - | ------ | ------ | ------ | ------');
  for (const [line, samples] of consoleRows) console.log(`\`${line}\` | ${samples.length} | ${row(samples)}`);
  console.log(`\nload average (1/5/15 min) before: ${loadBefore}; after: ${loadAfter}; ${new Date().toISOString()}`);
} finally {
  bare.close();
  await stack?.stop();
  rmSync(base, { recursive: true, force: true });
}

/** Runs `deploybot console` and times each line until the first line of its answer. */
async function measureConsole(s: SlackStack, configFile: string, dataDir: string): Promise<Array<[string, number[]]>> {
  const bin = fileURLToPath(new URL('../bin/deploybot.js', import.meta.url));
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, 'console', '--user', 'bench'], {
    env: { ...process.env, DEPLOYBOT_CONFIG: configFile, DEPLOYBOT_DATA: dataDir, REDIS_URL: s.redis.url, DEPLOYBOT_REDIS_PREFIX: `benchconsole${process.pid}`, LOG_LEVEL: 'error' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  const waiting: Array<{ match: (line: string) => boolean; resolve: (at: number) => void }> = [];
  let afterEcho: ((at: number) => void) | undefined;
  let echoOf: string | undefined;
  lines.on('line', (line) => {
    const at = performance.now();
    if (afterEcho && echoOf === undefined) {
      const done = afterEcho;
      afterEcho = undefined;
      done(at);
    }
    if (echoOf !== undefined && line === `bench> ${echoOf}`) echoOf = undefined;
    for (const w of [...waiting]) {
      if (w.match(line)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(at);
      }
    }
  });
  const exited = once(child, 'exit');
  const waitLine = (match: (line: string) => boolean, what: string, timeoutMs = 60_000) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`console: no ${what} within ${timeoutMs} ms\n${stderr.join('')}`)), timeoutMs);
      waiting.push({ match, resolve: (at) => {
        clearTimeout(timer);
        resolve(at);
      } });
    });
  /** Writes a line; resolves with the ms until the first line after its echo. */
  const time = async (line: string): Promise<number> => {
    const answered = new Promise<number>((resolve) => {
      afterEcho = resolve;
    });
    echoOf = line;
    const started = performance.now();
    child.stdin.write(`${line}\n`);
    const at = await Promise.race([answered, exited.then(() => Promise.reject(new Error(`console exited\n${stderr.join('')}`)))]);
    return at - started;
  };
  /** A cheap line of the console's own whose answer marks that everything before it has been answered. */
  const quiesce = async () => {
    const seen = waitLine((line) => line === 'now acting as bench', 'sentinel answer');
    child.stdin.write('as bench\n');
    await seen;
  };

  const rows: Array<[string, number[]]> = [];
  try {
    const startup = performance.now();
    await quiesce();
    rows.push(['(start: spawn → the first answer)', [performance.now() - startup]]);
    const cheap = ['help deploy', 'status mala-core dev', 'deploy nosuch dev v1', 'deploy mala-core dev v1 --dry-run'];
    const samples = new Map<string, number[]>(cheap.map((line) => [line, []]));
    for (let round = 0; round < consoleRounds; round += 1) {
      for (const line of cheap) {
        samples.get(line)!.push(await time(line));
        await quiesce();
      }
    }
    for (const line of cheap) rows.push([line, samples.get(line)!]);
    const accepted: number[] = [];
    for (let round = 0; round < Math.min(5, consoleRounds); round += 1) {
      accepted.push(await time('deploy mala-core dev v1'));
      child.stdin.write('wait\n');
      await quiesce();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the final progress edit
      await quiesce();
    }
    rows.push(['deploy mala-core dev v1 (accepted; a job runs)', accepted]);
    child.stdin.end();
    await exited;
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  return rows;
}

function pct(list: number[], p: number): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
function row(list: number[]): string {
  return [pct(list, 50), pct(list, 90), pct(list, 99), Math.max(...list)].map((ms) => ms.toFixed(1)).join(' | ');
}
function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}
function loadText(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' / ');
}
