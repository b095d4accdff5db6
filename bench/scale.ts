// Benchmark (not a CI gate): how the cost of a deploy grows with its host count. For 10, 100
// and 1 000 `{ local: dir }` hosts, as many SSH test hosts as this machine holds (64 asked),
// and 1 000 local hosts that all fail alike, one deploy each through the whole bot as it runs
// in production: `deploybot serve --no-workers` (the Slack adapter in HTTP mode, the HTTP
// surface and the notifier) and `deploybot worker` as two separate processes on one local
// redis-server, the fake Slack Web API (test/fakes/fake-slack-api.ts) recording every call
// with its time, a signed `/deploy` POSTed to /slack/events. Per deploy: per-host engine time,
// Redis bytes per host, the serve process's CPU per notice, chat posts and Web API calls, and
// the lag of the final message (the job's end → the fake receiving the chat.update that shows
// the final state). The failing scenario also checks the final message: the failures grouped
// in one line, within Block Kit's limits. Table and reading: bench/README.md, "scale".
//
// With `--workers in-serve`, plain `deploybot serve` runs the workers too (the setup issue 17
// was measured with): then serve's CPU is the whole bot's, notifier and engine together.
//
//   node --import tsx bench/scale.ts [--counts 10,100,1000] [--ssh 64] [--fail-hosts 1000] [--parallel 64] [--mb 0] [--workers separate|in-serve]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { DeployNotice } from '../src/deploy/deploy-notice.ts';
import type { DeployRecord } from '../src/domain/deploy-record.ts';
import { isTerminal } from '../src/domain/deploy-record.ts';
import { startLocalRedis, type LocalRedis } from '../src/services/local-redis.ts';
import { waitUntil } from '../src/services/wait-until.ts';
import { RedisKeys } from '../src/store/redis-keys.ts';
import { FakeSlackApi, type SlackApiCall } from '../test/fakes/fake-slack-api.ts';
import { postToSlackEndpoint, slashCommandRequest } from '../test/fakes/sign-slack-request.ts';
import { makeGitRepo } from '../test/fixtures/make-git-repo.ts';
import { startWorkerProcess, type WorkerProcess } from '../test/fixtures/worker-process.ts';
import { blockKitProblems, blockText } from '../test/support/block-kit-limits.ts';
import { startSshHosts, type SshTestHosts } from '../test/support/ssh-hosts.ts';
import { processCpuMs } from './support/process-cpu.ts';
import { channelOf, FAILING_HOOK_OUTPUT, hostNamesOf, SCALE_KEY_ENV, scaleConfig, type ScaleMarket } from './support/scale-config.ts';
import { startServeProcess, type ServeProcess } from './support/serve-process.ts';

const { values } = parseArgs({
  options: {
    counts: { type: 'string', default: '10,100,1000' },
    ssh: { type: 'string', default: '64' },
    'fail-hosts': { type: 'string', default: '1000' },
    parallel: { type: 'string', default: '64' },
    mb: { type: 'string', default: '0' },
    workers: { type: 'string', default: 'separate' },
  },
});
const counts = values.counts!.split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const sshWanted = Number(values.ssh);
const failHosts = Number(values['fail-hosts']);
const parallel = Number(values.parallel);
const megabytes = Number(values.mb);
/** `separate`: `serve --no-workers` + `deploybot worker` (the notifier's CPU is serve's); `in-serve`: plain `serve`, workers in it (serve's CPU is the whole bot). */
const inServe = values.workers === 'in-serve';
if (!inServe && values.workers !== 'separate') throw new Error(`--workers is separate or in-serve, not ${values.workers}`);
/** How long one deploy may take from the command to its end (1 000 hosts on two loaded cores). */
const DEPLOY_TIMEOUT_MS = 20 * 60_000;
/** How long its final state may take to reach chat once the record says it ended. */
const FINAL_TIMEOUT_MS = 5 * 60_000;
/** The line of a progress message in a final state (src/notify/render-progress.ts: `✅ success · 3s — …`). */
const FINAL_LINE = /^(✅|❌) (success|partial|failed)\b/m;

const base = mkdtempSync(join(tmpdir(), 'deploybot-bench-scale-'));
const token = `xoxb-${randomBytes(12).toString('hex')}`;
const signingSecret = randomBytes(16).toString('hex');
const prefix = `scale${process.pid}`;
const keys = new RedisKeys(prefix);
let redis: LocalRedis | undefined;
let client: Redis | undefined;
let slack: FakeSlackApi | undefined;
let ssh: SshTestHosts | undefined;
let worker: WorkerProcess | undefined;
let serve: ServeProcess | undefined;
const cleanup = async () => {
  await serve?.stop().catch(() => undefined);
  if (worker) {
    const w = worker;
    const hard = setTimeout(() => w.child.kill('SIGKILL'), 10_000);
    await w.kill('SIGTERM').catch(() => undefined);
    clearTimeout(hard);
  }
  client?.disconnect();
  await slack?.close().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  await ssh?.stopAll().catch(() => undefined);
  rmSync(base, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\nscale: ${signal}; stopping serve, worker, redis and the sshd hosts …`);
    void cleanup().finally(() => process.exit(130));
  });
}

interface Row {
  market: ScaleMarket;
  label: string;
  id: string;
  record: DeployRecord;
  notices: number;
  engineMs: number;
  distributeMs: number | undefined;
  switchMs: number | undefined;
  redisBytes: number;
  redisParts: Record<string, number>;
  serveCpuMs: number;
  workerCpuMs: number;
  /** Redis commands served from the POST to the final message (INFO commandstats): LRANGE (the notice reads) and all. */
  lrange: { calls: number; usec: number };
  commands: { calls: number; usec: number };
  commandToFinalMs: number;
  /** The POST → the engine's deploy.started notice; the engine's deploy.finished → the record's finishedAt. */
  commandToEngineMs: number | undefined;
  engineToRecordMs: number | undefined;
  /** The final chat.update's arrival after the engine's deploy.finished notice (its `at`). */
  finalLagMs: number;
  /** … and after the record's finishedAt (the job's end as the job layer wrote it). */
  recordLagMs: number;
  final: SlackApiCall;
  /** Where its calls start in the fake's log. */
  window: { from: number };
}

try {
  const loadBefore = loadText();
  const sshHosts = await startWhatFits(sshWanted);
  const repo = makeGitRepo(join(base, 'repo'), { ...(megabytes > 0 ? { blobBytes: megabytes * 1_000_000 } : {}), tags: ['v1'] });
  const warm: ScaleMarket[] = [{ name: 'warm', project: 'mala-core', hosts: 1 }, { name: 'failwarm', project: 'mala-fail', hosts: 1 }];
  const measured: ScaleMarket[] = [
    ...counts.map((n): ScaleMarket => ({ name: `l${n}`, project: 'mala-core', hosts: n })),
    ...(sshHosts.length > 0 ? [{ name: `s${sshHosts.length}`, project: 'mala-core', hosts: sshHosts } satisfies ScaleMarket] : []),
    ...(failHosts > 0 ? [{ name: `fail${failHosts}`, project: 'mala-fail', hosts: failHosts } satisfies ScaleMarket] : []),
  ];
  const config = scaleConfig({ dir: base, repo: repo.dir, markets: [...warm, ...measured], parallel, ...(ssh ? { privateKey: ssh.privateKey } : {}) });

  redis = await startLocalRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: 2 });
  slack = await FakeSlackApi.start({ token });
  const env = { REDIS_URL: redis.url, DEPLOYBOT_DATA: join(base, 'var'), DEPLOYBOT_REDIS_PREFIX: prefix, ...(ssh ? { [SCALE_KEY_ENV]: ssh.privateKey } : {}) };
  if (!inServe) worker = await startWorkerProcess(env, config.file);
  serve = await startServeProcess({
    configFile: config.file,
    args: inServe ? [] : ['--no-workers'],
    env: { ...env, SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.apiUrl },
  });
  console.log(`scale: serve pid ${serve.pid} (notifier, Slack HTTP mode, ${inServe ? 'workers in it)' : `no workers), worker pid ${worker!.child.pid}`}; parallel ${parallel}; package ${megabytes > 0 ? `${megabytes} MB + ` : ''}a few bytes`);

  for (const market of warm) {
    const row = await deployOnce(market);
    console.log(`  warm-up ${market.project} → ${market.name}: ${row.record.state} (builds v1 once; not counted)`);
  }
  const rows: Row[] = [];
  for (const market of measured) {
    const row = await deployOnce(market);
    rows.push(row);
    console.log(`  ${row.label}: ${row.id} ${row.record.state}, engine ${secs(row.engineMs)} s, final message ${secs(row.finalLagMs)} s after deploy.finished (${secs(row.recordLagMs)} s after the record's finishedAt)`);
  }
  const loadAfter = loadText();

  const setup = inServe ? '`deploybot serve` with its workers in it (one process: serve CPU is notifier + engine)' : '`deploybot serve --no-workers` + `deploybot worker` (separate processes: serve CPU is the notifier\'s)';
  console.log(`\nscale: one deploy per row through ${setup}, fake Slack Web API; parallel ${parallel}; ${new Date().toISOString()}\n`);
  console.log('hosts | outcome | notices | command → engine start s | engine s (distribute / switch) | engine ms per host | engine end → record finished s | Redis bytes per host | serve CPU s | serve CPU ms per notice | worker CPU ms per host | Redis LRANGE calls (ms) | Redis commands per host | chat posts | Web API calls | command → final message s | **final message lag s** (after deploy.finished) | lag after the record\'s finishedAt s');
  console.log('----- | ------- | ------- | ------------------------ | ------------------------------ | ------------------ | ------------------------------ | -------------------- | ---------------------- | -------------------------- | ---------------------- | ----------------------- | ----------------------- | ---------- | ------------- | ------------------------- | ----------------------------------------------- | ------------------------------------');
  for (const row of rows) {
    const hosts = row.record.hosts.length;
    const calls = callsOf(row, rows);
    console.log([
      row.label,
      row.record.state,
      row.notices,
      opt(row.commandToEngineMs),
      `${secs(row.engineMs)} (${opt(row.distributeMs)} / ${opt(row.switchMs)})`,
      (row.engineMs / hosts).toFixed(1),
      opt(row.engineToRecordMs),
      Math.round(row.redisBytes / hosts),
      secs(row.serveCpuMs),
      (row.serveCpuMs / row.notices).toFixed(2),
      worker ? (row.workerCpuMs / hosts).toFixed(1) : '— (in serve)',
      `${row.lrange.calls} (${(row.lrange.usec / 1000).toFixed(0)})`,
      (row.commands.calls / hosts).toFixed(1),
      calls.filter((c) => c.method === 'chat.postMessage').length,
      calls.length,
      secs(row.commandToFinalMs),
      `**${secs(row.finalLagMs)}**`,
      secs(row.recordLagMs),
    ].join(' | '));
  }

  console.log('\nRedis bytes per deploy (MEMORY USAGE of the keys naming the deploy id, and what its notices added to the shared announcement stream):\n');
  const stream = 'events stream (growth)';
  const parts = [...new Set(rows.flatMap((r) => Object.keys(r.redisParts)))].filter((p) => p !== stream).sort().concat(stream);
  console.log(`hosts | total bytes | ${parts.join(' | ')}`);
  console.log('----- | ----------- | ' + parts.map(() => '---').join(' | '));
  for (const row of rows) console.log(`${row.label} | ${row.redisBytes} | ${parts.map((p) => row.redisParts[p] ?? 0).join(' | ')}`);

  console.log('\nWeb API calls per deploy by method:\n');
  for (const row of rows) {
    const byMethod = new Map<string, number>();
    for (const call of callsOf(row, rows)) byMethod.set(call.method, (byMethod.get(call.method) ?? 0) + 1);
    console.log(`  ${row.label}: ${[...byMethod].map(([m, n]) => `${m} ${n}`).join(', ')}; answered other than 200: ${callsOf(row, rows).filter((c) => c.status !== 200).length}`);
  }

  console.log('\nchecks (issue 17; printed, not the exit status — the exit status says whether the benchmark ran):\n');
  console.log('check | goal | measured | met');
  console.log('----- | ---- | -------- | ---');
  const largest = rows.filter((r) => r.market.project === 'mala-core' && typeof r.market.hosts === 'number').at(-1);
  if (largest) console.log(`final message lag at ${largest.record.hosts.length} local hosts | ≤ 2 s | ${secs(largest.finalLagMs)} s | ${largest.finalLagMs <= 2000 ? 'yes' : 'NO'}`);
  const failing = rows.find((r) => r.market.project === 'mala-fail');
  if (failing) {
    const shown = blockText(failing.final.params);
    const names = new Set(hostNamesOf(failing.market));
    const namesHost = (line: string) => (line.match(/[\w.-]+/g) ?? []).some((word) => names.has(word));
    // a failure entry names hosts; the hook's output shown under it may name its sample host too
    const hostLines = shown.split('\n').filter(namesHost);
    const entries = hostLines.filter((line) => !line.includes(FAILING_HOOK_OUTPUT));
    const grouped = entries.length === 1 && entries[0]!.includes(String(failing.record.hosts.length));
    const problems = blockKitProblems(failing.final.params);
    const blocks = Array.isArray(failing.final.params.blocks) ? failing.final.params.blocks.length : 0;
    console.log(`${failing.label}: failure entries in the final message (lines naming failed hosts, less the hook output under them) | 1, with the count ${failing.record.hosts.length} | ${entries.length} (${hostLines.length} lines name a failed host)${entries.length === 1 ? `: "${entries[0]!.trim().slice(0, 120)}"` : ''} | ${grouped ? 'yes' : 'NO'}`);
    console.log(`${failing.label}: the final message within Block Kit limits | no problem | ${problems.length === 0 ? 'none' : problems.join('; ')} (${blocks} blocks, text ${String(failing.final.params.text ?? '').length} chars, shown ${shown.length} chars) | ${problems.length === 0 ? 'yes' : 'NO'}`);
    const lines = shown.split('\n');
    console.log(`\nthe final message of ${failing.label}, as shown (${lines.length > 40 ? `first 40 lines of ${lines.length}` : `${lines.length} lines`}):\n${shown.split('\n').slice(0, 40).map((l) => `    ${l}`).join('\n')}`);
  }
  console.log(`\nSSH test hosts: ${sshWanted > 0 ? `${sshHosts.length} of ${sshWanted} asked for started` : 'none asked for'}; load average (1/5/15 min) before: ${loadBefore}; after: ${loadAfter}`);
} finally {
  await cleanup();
}

/** As many SSH test hosts as start, up to `wanted`: all of them, else half as many, down to one (none without root). */
async function startWhatFits(wanted: number): Promise<SshTestHosts['hosts']> {
  if (wanted <= 0) return [];
  if (process.getuid?.() !== 0) {
    console.log('scale: not root, so no SSH test hosts (they bind-mount /data in a mount namespace); the ssh row is skipped');
    return [];
  }
  for (let n = wanted; n >= 1; n = Math.floor(n / 2)) {
    const started = performance.now();
    try {
      ssh = await startSshHosts(n, { prefix: 's' });
      console.log(`scale: ${n} sshd test hosts started in ${secs(performance.now() - started)} s`);
      return ssh.hosts;
    } catch (error) {
      console.log(`scale: ${n} sshd test hosts did not start (${(error as Error).message.split('\n')[0]}); trying ${Math.floor(n / 2)}`);
    }
  }
  return [];
}

/** One signed `/deploy` to `market`, from the POST until the fake has the chat.update showing the final state. */
async function deployOnce(market: ScaleMarket): Promise<Row> {
  const s = slack!;
  const channel = channelOf(market.name);
  const from = s.calls.length;
  const serveCpu = processCpuMs(serve!.pid);
  const workerCpu = worker ? processCpuMs(worker.child.pid!) : 0;
  const streamBefore = await memoryUsage(keys.events());
  const statsBefore = await commandStats();
  const sent = Date.now();
  const request = slashCommandRequest({ command: '/deploy', text: `${market.project} ${market.name} v1`, userId: 'U01ALICE', channelId: channel, responseUrl: s.responseUrl(market.name) }, { signingSecret });
  const ack = await postToSlackEndpoint(`${serve!.url}/slack/events`, request);
  if (ack.status !== 200) throw new Error(`/deploy to ${market.name} was answered ${ack.status}: ${ack.body}`);
  const [answer] = await s.log.waitFor((c) => c.method === 'chat.postEphemeral' && c.params.channel === channel, 1, `the answer to /deploy ${market.name}`, 60_000);
  const id = /\b(d-\d{8}-\d{4}) accepted\b/.exec(String(answer!.params.text ?? ''))?.[1];
  if (!id) throw new Error(`/deploy ${market.name} was not accepted: ${String(answer!.params.text)}`);
  const diagnosis = () => `\n--- serve ---\n${serve!.output().slice(-2000)}\n--- worker ---\n${worker?.output().slice(-2000) ?? '(in serve)'}`;
  const record = await waitUntil(async () => {
    const r = await readRecord(id);
    return r && isTerminal(r.state) && r.finishedAt ? r : undefined;
  }, { what: `${id} (${market.name}) to end`, timeoutMs: DEPLOY_TIMEOUT_MS, intervalMs: 250 }).catch((error: Error) => {
    throw new Error(`${error.message}${diagnosis()}`);
  });
  const isFinal = (c: SlackApiCall) => c.method === 'chat.update' && c.status === 200 && c.params.channel === channel && FINAL_LINE.test(blockText(c.params));
  const [final] = await s.log.waitFor(isFinal, 1, `the final state of ${id} (${market.name}, ${record.state}) in chat`, FINAL_TIMEOUT_MS).catch((error: Error) => {
    const last = s.calls.filter((c) => c.params.channel === channel && (c.method === 'chat.update' || c.method === 'chat.postMessage')).at(-1);
    throw new Error(`${error.message}; the last message in ${channel} shows:\n${last ? blockText(last.params) : '(nothing)'}${diagnosis()}`);
  });
  const serveCpuMs = processCpuMs(serve!.pid) - serveCpu;
  const workerCpuMs = worker ? processCpuMs(worker.child.pid!) - workerCpu : 0;
  const statsAfter = await commandStats();
  const delta = (name: string | undefined) => {
    const pick = (stats: Map<string, { calls: number; usec: number }>) => name === undefined
      ? [...stats.values()].reduce((sum, v) => ({ calls: sum.calls + v.calls, usec: sum.usec + v.usec }), { calls: 0, usec: 0 })
      : stats.get(name) ?? { calls: 0, usec: 0 };
    const [a, b] = [pick(statsBefore), pick(statsAfter)];
    return { calls: b.calls - a.calls, usec: b.usec - a.usec };
  };
  const notices = (await client!.lrange(keys.deployEvents(id), 0, -1)).map((t) => JSON.parse(t) as DeployNotice);
  const finished = notices.find((n): n is Extract<DeployNotice, { type: 'deploy.finished' }> => n.type === 'deploy.finished');
  const started = notices.find((n) => n.type === 'deploy.started');
  const step = (name: string) => notices.find((n): n is Extract<DeployNotice, { type: 'step.finished' }> => n.type === 'step.finished' && n.step === name)?.durationMs;
  // a failed or partial deploy's log goes to its thread: wait for it, so its calls count here
  if (record.state !== 'success') {
    await s.log.waitFor((c) => c.method === 'files.completeUploadExternal' && c.params.channel_id === channel, 1, `the log upload of ${id}`, 60_000)
      .catch((error: Error) => console.log(`  (${id}: ${error.message})`));
  }
  const { total, parts } = await redisBytesOf(id);
  const streamGrowth = Math.max(0, (await memoryUsage(keys.events())) - streamBefore);
  const hostsText = typeof market.hosts === 'number' ? `${market.hosts} local` : `${market.hosts.length} sshd`;
  return {
    market,
    label: market.project === 'mala-fail' ? `${hostsText}, all failing alike` : hostsText,
    id,
    record,
    notices: notices.length,
    engineMs: finished?.durationMs ?? record.durationMs ?? 0,
    distributeMs: step('distribute'),
    switchMs: step('switch'),
    redisBytes: total + streamGrowth,
    redisParts: { ...parts, 'events stream (growth)': streamGrowth },
    serveCpuMs,
    workerCpuMs,
    lrange: delta('lrange'),
    commands: delta(undefined),
    commandToFinalMs: final!.at - sent,
    commandToEngineMs: started ? Date.parse(started.at) - sent : undefined,
    engineToRecordMs: finished ? Date.parse(record.finishedAt!) - Date.parse(finished.at) : undefined,
    finalLagMs: final!.at - Date.parse(finished?.at ?? record.finishedAt!),
    recordLagMs: final!.at - Date.parse(record.finishedAt!),
    final: final!,
    window: { from },
  };
}

async function readRecord(id: string): Promise<DeployRecord | undefined> {
  const text = await client!.get(keys.deploy(id));
  return text ? (JSON.parse(text) as DeployRecord) : undefined;
}

/** MEMORY USAGE (exact: SAMPLES 0) of every key naming the deploy id, grouped by what the key is. */
async function redisBytesOf(id: string): Promise<{ total: number; parts: Record<string, number> }> {
  const parts: Record<string, number> = {};
  let total = 0;
  let cursor = '0';
  do {
    const [next, found] = await client!.scan(cursor, 'MATCH', `${prefix}:*${id}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of found) {
      const bytes = await memoryUsage(key);
      const kind = kindOf(key.slice(prefix.length + 1), id);
      parts[kind] = (parts[kind] ?? 0) + bytes;
      total += bytes;
    }
  } while (cursor !== '0');
  return { total, parts };
}

/** `deploy-events:d-…` → `deploy-events`; `bull:deploys:d-….prepare` → `bull:deploys:*`. */
function kindOf(key: string, id: string): string {
  const at = key.indexOf(id);
  return at <= 0 ? key : `${key.slice(0, at - 1)}${key.length > at + id.length ? ':*' : ''}`;
}

/** Per Redis command: calls and microseconds so far (`INFO commandstats`). */
async function commandStats(): Promise<Map<string, { calls: number; usec: number }>> {
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const line of (await client!.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line.trim());
    if (match) stats.set(match[1]!, { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}

async function memoryUsage(key: string): Promise<number> {
  return Number((await client!.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
}

/** The calls a deploy caused: those naming its channel, and those naming none (file uploads) while it ran. */
function callsOf(row: Row, rows: Row[]): SlackApiCall[] {
  const channel = channelOf(row.market.name);
  const next = rows[rows.indexOf(row) + 1];
  const to = next ? next.window.from : slack!.calls.length;
  return slack!.calls.filter((c, i) => {
    const named = c.params.channel ?? c.params.channel_id;
    return named === channel || (named === undefined && c.method !== 'auth.test' && i >= row.window.from && i < to);
  });
}

function opt(ms: number | undefined): string {
  return ms === undefined ? '—' : secs(ms);
}
function secs(ms: number): string {
  return (ms / 1000).toFixed(2);
}
function loadText(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' / ');
}
