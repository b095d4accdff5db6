// Benchmark (not a CI gate): one chat budget shared by several processes
// (docs/reference/chat-limits.md). 20 deploys' chat traffic (an approval card, a progress
// post, a progress state every 100 ms for 2 s, then the final state) from 3 separate OS
// processes — each the real Slack adapter and progress editor — against the fake Slack Web
// API answering 429 above Slack's limits, with the window shrunk (40 chat.update per window
// per workspace, 1 per window/60 per message and per channel). Once with the budget shared
// through Redis, once with each process spending its own (what every process did before).
// Reported: calls accepted, 429s, the most chat.update accepted in any window, and the time
// until the last deploy's final state had landed.
//
//   node --import tsx bench/chat-budget.ts [--window-ms 6000] [--runs 3]
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startLocalRedis } from '../src/services/local-redis.ts';
import { FakeSlackApi } from '../test/fakes/fake-slack-api.ts';
import { mostInAnyWindow, runChatChild } from '../test/fixtures/chat-budget-processes.ts';

const { values } = parseArgs({ options: { 'window-ms': { type: 'string', default: '6000' }, runs: { type: 'string', default: '3' } } });
const windowMs = Number(values['window-ms']);
const runs = Number(values.runs);
const token = `xoxb-${randomBytes(12).toString('hex')}`;

const redis = await startLocalRedis();
try {
  console.log(`3 processes, 20 deploys (20 progress states each), window ${windowMs} ms; load ${loadText()}\n`);
  console.log('budget | run | chat.update accepted | chat.postMessage accepted | 429s | most chat.update in any window (limit 40) | finals landed | s until the last final');
  console.log('------ | --- | -------------------- | ------------------------- | ---- | ----------------------------------------- | ------------- | ---------------------');
  for (const shared of [true, false]) {
    for (let run = 1; run <= runs; run += 1) {
      const slack = await FakeSlackApi.start({ token });
      slack.enforceLimits({ windowMs, updatesPerWindow: 40 });
      try {
        const deploys = Array.from({ length: 20 }, (_, i) => ({ id: `d-bench-${String(i + 1).padStart(4, '0')}`, channel: `C0DEPLOY${i % 4}` }));
        const shares = [deploys.slice(0, 7), deploys.slice(7, 14), deploys.slice(14)];
        const prefix = `bench-${randomBytes(4).toString('hex')}`;
        const started = Date.now();
        const reports = await Promise.all(shares.map((share) => runChatChild({ redisUrl: redis.url, prefix, apiUrl: slack.apiUrl, token, windowMs, steps: 20, stepMs: 100, shared, deploys: share })));
        const seconds = (Date.now() - started) / 1000;
        const updates = slack.okCallsTo('chat.update');
        const landed = reports.flatMap((report) => report.deploys).filter((deploy) => slack.messages.get(`${deploy.progress.channel}/${deploy.progress.id}`)?.text.endsWith('done ✅')).length;
        console.log(`${shared ? 'shared (Redis)' : 'per process'} | ${run} | ${updates.length} | ${slack.okCallsTo('chat.postMessage').length} | ${slack.refusedCalls().length} | ${mostInAnyWindow(updates, windowMs)} | ${landed}/20 | ${seconds.toFixed(1)}`);
      } finally {
        await slack.close();
      }
    }
  }
  console.log(`\nload ${loadText()}`);
} finally {
  await redis.stop();
}

function loadText(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' / ');
}
