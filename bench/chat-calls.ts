// Benchmark (not a CI gate): Slack Web API calls per deploy, by host count. Each deploy is a
// signed `/deploy` slash command POSTed to the real Bolt app (HTTP mode) on the real HTTP
// surface; the job layer (BullMQ workers on a local redis-server) runs it on `{ local: dir }`
// hosts of an approval-free market, and the notifier renders it through Slack's throttled
// progress editor — all against the fake Slack Web API, whose call log is counted. Also: the
// wall time from the POST to the final edit landing, and the spacing of `chat.update` calls
// per message (the contract: at most one edit per second per message, the final one lands).
//
//   node --import tsx bench/chat-calls.ts [--counts 1,4,16] [--deploys 3] [--mb 20]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SlackApiCall } from '../test/fakes/fake-slack-api.ts';
import { makeGitRepo } from '../test/fixtures/make-git-repo.ts';
import { localMarketsConfig, startSlackStack, type SlackStack } from './support/slack-stack.ts';

const { values } = parseArgs({ options: { counts: { type: 'string', default: '1,4,16' }, deploys: { type: 'string', default: '3' }, mb: { type: 'string', default: '20' } } });
const counts = values.counts!.split(',').map(Number);
const deploysPer = Number(values.deploys);
const megabytes = Number(values.mb);

const base = mkdtempSync(join(tmpdir(), 'deploybot-bench-chat-'));
let stack: SlackStack | undefined;
try {
  const repo = makeGitRepo(join(base, 'repo'), { blobBytes: megabytes * 1_000_000, tags: ['v1'] });
  const markets = Object.fromEntries(counts.map((n) => [`m${n}`, n]));
  const config = localMarketsConfig(base, repo.dir, markets);
  stack = await startSlackStack({ config, dataDir: join(base, 'var') });
  const loadBefore = loadText();

  console.log(`warm-up deploy (builds v1 once: ${megabytes} MB output; not counted) …`);
  await deployOnce(stack, `m${counts[0]}`);

  interface Run { hosts: number; wallMs: number; jobMs: number; calls: SlackApiCall[]; sent: Array<{ ts: string; at: number }>; progressTs: string[] }
  const runs: Run[] = [];
  for (const hosts of counts) {
    for (let i = 1; i <= deploysPer; i += 1) {
      const run = await deployOnce(stack, `m${hosts}`);
      runs.push({ hosts, ...run });
      console.log(`  ${hosts} hosts #${i}: ${run.calls.length} calls, ${secs(run.wallMs)} s`);
    }
  }
  const loadAfter = loadText();

  console.log(`\nSlack Web API calls per deploy (mean of ${deploysPer} deploys per row; ${megabytes} MB package, cached build, local hosts, approval-free market):\n`);
  console.log('hosts | chat.postMessage | chat.update | chat.postEphemeral | other | total | wall s (POST → final edit landed) | job s | messages edited | min gap between edits of a message: sent / arrived | max edits of a message in any 1 s: sent / arrived');
  console.log('----- | ---------------- | ----------- | ------------------ | ----- | ----- | ---------------------------------- | ----- | --------------- | -------------------------------------------------- | -------------------------------------------------');
  const worst = { sentGap: Infinity, arrivedGap: Infinity, sentWindow: 0, arrivedWindow: 0 };
  for (const hosts of counts) {
    const rows = runs.filter((r) => r.hosts === hosts);
    const per = (pick: (r: Run) => number) => (rows.reduce((sum, r) => sum + pick(r), 0) / rows.length).toFixed(1);
    const count = (r: Run, method: string) => r.calls.filter((c) => c.method === method).length;
    const known = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral']);
    const arrived = spacing(rows.flatMap((r) => r.progressTs.map((ts) => r.calls.filter((c) => c.method === 'chat.update' && c.params.ts === ts).map((c) => c.at))));
    const sent = spacing(rows.flatMap((r) => r.progressTs.map((ts) => r.sent.filter((e) => e.ts === ts).map((e) => e.at))));
    worst.sentGap = Math.min(worst.sentGap, sent.minGap);
    worst.arrivedGap = Math.min(worst.arrivedGap, arrived.minGap);
    worst.sentWindow = Math.max(worst.sentWindow, sent.maxWindow);
    worst.arrivedWindow = Math.max(worst.arrivedWindow, arrived.maxWindow);
    console.log([
      hosts,
      per((r) => count(r, 'chat.postMessage')),
      per((r) => count(r, 'chat.update')),
      per((r) => count(r, 'chat.postEphemeral')),
      per((r) => r.calls.filter((c) => !known.has(c.method)).length),
      per((r) => r.calls.length),
      secs(rows.reduce((sum, r) => sum + r.wallMs, 0) / rows.length),
      secs(rows.reduce((sum, r) => sum + r.jobMs, 0) / rows.length),
      per((r) => r.progressTs.length),
      `${gapText(sent.minGap)} / ${gapText(arrived.minGap)}`,
      `${sent.maxWindow} / ${arrived.maxWindow}`,
    ].join(' | '));
  }
  const others = [...new Set(runs.flatMap((r) => r.calls.map((c) => c.method)))].filter((m) => !['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(m));
  console.log(`\nother methods seen: ${others.length > 0 ? others.join(', ') : 'none'}; every call answered 200: ${runs.every((r) => r.calls.every((c) => c.status === 200))}`);
  console.log(`edit spacing over all deploys (contract: ≤ 1 edit/s per message): as sent by the throttled editor, min gap ${gapText(worst.sentGap)}, max ${worst.sentWindow} edit(s) of one message in any 1 s; as arrived at the fake API, min gap ${gapText(worst.arrivedGap)}, max ${worst.arrivedWindow}`);
  console.log(`load average (1/5/15 min) before: ${loadBefore}; after: ${loadAfter}; ${new Date().toISOString()}`);
} finally {
  await stack?.stop();
  rmSync(base, { recursive: true, force: true });
}

/** One `/deploy mala-core <market> v1` from the POST until the notifier has landed its final edit; the calls it caused. */
async function deployOnce(s: SlackStack, market: string): Promise<{ wallMs: number; jobMs: number; calls: SlackApiCall[]; sent: Array<{ ts: string; at: number }>; progressTs: string[] }> {
  const mark = s.slack.calls.length;
  const editMark = s.edits.length;
  const started = performance.now();
  const ack = await s.slash('/deploy', `mala-core ${market} v1`);
  if (ack.status !== 200) throw new Error(`/deploy was answered ${ack.status}: ${ack.body}`);
  const [accepted] = await s.slack.log.waitFor((c) => c.method === 'chat.postEphemeral' && s.slack.calls.indexOf(c) >= mark, 1, 'the accepted answer', 30_000);
  const text = String(accepted!.params.text ?? '');
  const id = /\b(d-\d{8}-\d{4}) accepted\b/.exec(text)?.[1];
  if (!id) throw new Error(`the deploy was not accepted: ${text}`);
  await s.bot.notifier.settled(id);
  const wallMs = performance.now() - started;
  const record = await s.bot.jobs.rt.records.require(id);
  if (record.state !== 'success') throw new Error(`${id} ended ${record.state}: ${record.reason ?? ''}`);
  // anything still in flight for this deploy lands before the next one starts
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const calls = s.slack.calls.slice(mark);
  // the messages this deploy edited (a postMessage request carries no ts; its edits do)
  const progressTs = [...new Set(calls.filter((c) => c.method === 'chat.update').map((c) => String(c.params.ts)))];
  return { wallMs, jobMs: record.durationMs ?? 0, calls, sent: s.edits.slice(editMark), progressTs };
}

/** Per message, the smallest gap between consecutive edits and the most edits inside any 1000 ms. */
function spacing(perMessage: number[][]): { minGap: number; maxWindow: number } {
  let minGap = Infinity;
  let maxWindow = 0;
  for (const unsorted of perMessage) {
    const times = [...unsorted].sort((a, b) => a - b);
    for (let k = 1; k < times.length; k += 1) minGap = Math.min(minGap, times[k]! - times[k - 1]!);
    for (const t of times) maxWindow = Math.max(maxWindow, times.filter((u) => u >= t && u < t + 1000).length);
  }
  return { minGap, maxWindow };
}
function gapText(ms: number): string {
  return Number.isFinite(ms) ? `${ms} ms` : '— (≤ 1 edit)';
}
function secs(ms: number): string {
  return (ms / 1000).toFixed(2);
}
function loadText(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' / ');
}
