// Benchmark (not a CI gate): progressive rollout on real sshd hosts.
//   (a) time from the first failing health check to every switched host restored: a release
//       whose tree fails its `command` check is switched on all N hosts in one wave, found
//       unhealthy, and switched back (goal ≤ 2 s after detection for 16 hosts) — with no hooks,
//       and with an afterDeploy hook (run again on the way back, as `rollback` does).
//   (b) the overhead of a 4-wave rollout with zero bake against a single wave, the same health
//       check in both, and against a plain switch (no rollout, no check): the switch step side by side.
//
//   node --import tsx bench/rollout.ts [--hosts 16] [--runs 3]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config/load-config.ts';
import { MemoryCheckpoint } from '../src/deploy/deploy-checkpoint.ts';
import type { DeployEvent } from '../src/deploy/deploy-events.ts';
import type { DeployPlan } from '../src/deploy/deploy-plan.ts';
import type { DeployResult } from '../src/deploy/deploy-result.ts';
import { runDeploy } from '../src/deploy/run-deploy.ts';
import { deployPlan, deployTestConfig } from '../test/fixtures/deploy-test-config.ts';
import { makeGitRepo } from '../test/fixtures/make-git-repo.ts';
import { sshHostEntries, startSshHosts } from '../test/support/ssh-hosts.ts';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '16' }, runs: { type: 'string', default: '3' } } });
const hostCount = Number(values.hosts);
const runs = Number(values.runs);
const CHECK = { command: '! grep -q bad app.txt' };

const base = mkdtempSync(join(tmpdir(), 'deploybot-bench-rollout-'));
const ssh = await startSshHosts(hostCount, { prefix: 'r' });
try {
  const repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'bad'] });
  const names = ssh.hosts.map((h) => h.name);
  const dataDir = join(base, 'var');
  const config = (project: Record<string, unknown>, dir: string): Config =>
    deployTestConfig({ dir: join(base, dir), repo: repo.dir, privateKey: ssh.privateKey, hosts: sshHostEntries(ssh.hosts), project: { parallel: hostCount, hostTimeout: '300s', keepReleases: 3, ...project } });
  const run = async (plan: DeployPlan, cfg: Config): Promise<{ result: DeployResult; events: DeployEvent[] }> => {
    const events: DeployEvent[] = [];
    const result = await runDeploy(plan, { config: cfg, dataDir, checkpoint: new MemoryCheckpoint(), onEvent: (e) => events.push(e) });
    return { result, events };
  };
  for (const dir of ['plain', 'hooks', 'one', 'four', 'none']) mkdirSync(join(base, dir), { recursive: true });
  const loadBefore = loadText();
  console.log(`setting up ${hostCount} hosts with v1 …`);
  if ((await run(deployPlan({ ref: 'v1', hosts: names }), config({}, 'none'))).result.outcome !== 'success') throw new Error('setup deploy failed');

  // ---- (a) first failing check → every switched host restored ----
  const variants = [
    { name: 'no hooks', cfg: config({ health: [CHECK], rollout: { interval: '200ms' } }, 'plain') },
    { name: 'afterDeploy hook', cfg: config({ health: [CHECK], rollout: { interval: '200ms' }, hooks: { afterDeploy: 'echo "$RELEASE_ID" >> /data/hooks.log' } }, 'hooks') },
  ];
  const restoreRows: string[] = [];
  for (const variant of variants) {
    const detect: number[] = [];
    const restore: number[] = [];
    for (let i = 1; i <= runs; i += 1) {
      const { result, events } = await run(deployPlan({ ref: 'bad', hosts: names }), variant.cfg);
      const at = (e: DeployEvent) => Date.parse(e.at);
      const firstFailed = events.find((e) => e.type === 'health.failed');
      const decided = events.find((e) => e.type === 'rollout.failed');
      const restored = events.filter((e) => e.type === 'host.rolled-back');
      if (result.outcome !== 'rolled-back' || !firstFailed || !decided || restored.length !== hostCount || restored.some((e) => e.type === 'host.rolled-back' && !e.ok)) {
        const notBack = result.hosts.filter((h) => !h.rolledBack?.ok).map((h) => `${h.host}: ${h.rolledBack?.error?.message ?? h.error?.message ?? 'not switched back'}`);
        throw new Error(`(a) ${variant.name}: expected every host rolled back, got ${result.outcome} (${result.rollout?.reason ?? result.error?.message}); ${notBack.join('; ')}`);
      }
      const last = Math.max(...restored.map(at));
      restore.push(last - at(firstFailed));
      detect.push(last - at(decided));
      console.log(`  (a) ${variant.name} run ${i}: first failing check → all ${hostCount} restored ${secs(restore.at(-1)!)} s (after the decision ${secs(detect.at(-1)!)} s)`);
    }
    restoreRows.push(`${variant.name} | ${secs(median(restore))} [${secs(Math.min(...restore))}–${secs(Math.max(...restore))}] | ${secs(median(detect))} | ${median(restore) <= 2_000 ? 'yes' : 'no'}`);
  }

  // ---- (b) 4 waves, zero bake vs one wave vs a plain switch ----
  const shapes = [
    { name: 'plain switch (no rollout, no check)', cfg: config({}, 'none') },
    { name: 'one wave + check', cfg: config({ health: [CHECK], rollout: { interval: '200ms' } }, 'one') },
    { name: '4 waves [25%, 50%, 75%] + check, bake 0', cfg: config({ health: [CHECK], rollout: { waves: ['25%', '50%', '75%'], interval: '200ms' } }, 'four') },
  ];
  const switchMs = new Map<string, number[]>();
  const totalMs = new Map<string, number[]>();
  for (let i = 1; i <= runs; i += 1) {
    for (const shape of shapes) {
      const { result } = await run(deployPlan({ ref: i % 2 === 0 ? 'v1' : 'v2', hosts: names }), shape.cfg);
      if (result.outcome !== 'success') throw new Error(`(b) ${shape.name}: ${result.outcome}: ${result.error?.message ?? result.rollout?.reason}`);
      const step = result.steps.find((s) => s.step === 'switch')!.durationMs;
      switchMs.set(shape.name, [...(switchMs.get(shape.name) ?? []), step]);
      totalMs.set(shape.name, [...(totalMs.get(shape.name) ?? []), result.durationMs]);
      console.log(`  (b) run ${i}: ${shape.name}: switch ${secs(step)} s, deploy ${secs(result.durationMs)} s`);
    }
  }
  const loadAfter = loadText();

  console.log(`\n(a) a release failing its health check on all ${hostCount} sshd hosts (one wave), switched back; median of ${runs} [min–max]:\n`);
  console.log('variant | first failing check → all restored s | rollout decided → all restored s | ≤ 2 s');
  console.log('------- | ------------------------------------- | -------------------------------- | -----');
  for (const row of restoreRows) console.log(row);
  const plain = median(switchMs.get(shapes[0]!.name)!);
  const one = median(switchMs.get(shapes[1]!.name)!);
  console.log(`\n(b) the switch step on ${hostCount} sshd hosts, median of ${runs} (parallel ${hostCount}; each deploy a new release):\n`);
  console.log('shape | switch step s | vs plain | vs one wave | whole deploy s');
  console.log('----- | ------------- | -------- | ----------- | --------------');
  for (const shape of shapes) {
    const s = median(switchMs.get(shape.name)!);
    console.log(`${shape.name} | ${secs(s)} | ${ratio(s, plain)} | ${ratio(s, one)} | ${secs(median(totalMs.get(shape.name)!))}`);
  }
  console.log(`\nload average (1/5/15 min) before: ${loadBefore}; after: ${loadAfter}; ${new Date().toISOString()}`);
} finally {
  await ssh.stopAll();
  rmSync(base, { recursive: true, force: true });
}

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

function loadText(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' / ');
}
