// What the sandbox for repository code costs (docs/operations.md, "Repository code is
// sandboxed"): a cold code build (beforeDownload, checkout, afterDownload, build command;
// no `npm ci`) with bubblewrap and with `build.sandbox: off`, in alternating pairs, and one
// empty hook either way. Medians.
//   node --import tsx bench/sandbox-cost.ts [--runs 5]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { urlOnlyRedactor } from '../src/core/redactor.ts';
import { buildCode } from '../src/deploy/build/build-code.ts';
import { mirrorDirectory, updateMirror } from '../src/deploy/git/update-mirror.ts';
import { commitTime } from '../src/deploy/git/resolve-ref.ts';
import { repositorySandbox } from '../src/deploy/repository-sandbox.ts';
import { makeGitRepo } from '../test/fixtures/make-git-repo.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 5) || 5;
const base = mkdtempSync(join(tmpdir(), 'deploybot-bench-sandbox-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const repo = makeGitRepo(join(base, 'repo'), { tags: ['v1'], blobBytes: 2_000_000 });
  const commit = repo.commits.v1!;
  const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
  const hook: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (let i = 0; i < runs; i += 1) {
    for (const mode of i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const dataDir = join(base, `var-${mode}-${i}`);
      await updateMirror(dataDir, 'bench', repo.dir);
      const mirrorDir = mirrorDirectory(dataDir, 'bench');
      const sandbox = repositorySandbox('bench', { sandbox: mode, network: true });
      await sandbox.ready();
      const started = performance.now();
      await buildCode({
        dataDir,
        mirrorDir,
        settings: { project: 'bench', commit, command: 'sh build.sh', output: 'dist', beforeDownload: 'true', afterDownload: 'test -f build.sh' },
        commitTime: await commitTime(mirrorDir, commit),
        env: { VERSION: 'v1' },
        timeoutMs: 60_000,
        redactor: urlOnlyRedactor,
        sandbox,
      });
      times[mode].push(performance.now() - started);
      const hookStarted = performance.now();
      await sandbox.runScript('true', { dirs: [{ dir: base, as: '/build' }], cwd: base, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 10_000, redactor: urlOnlyRedactor });
      hook[mode].push(performance.now() - hookStarted);
    }
  }
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  process.stdout.write(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  process.stdout.write(`cold build (3 scripts + checkout), median of ${runs}: sandboxed ${fmt(median(times.on))}, unsandboxed ${fmt(median(times.off))} (${(median(times.on) / median(times.off)).toFixed(2)}×)\n`);
  process.stdout.write(`  all: on ${times.on.map(fmt).join(', ')}; off ${times.off.map(fmt).join(', ')}\n`);
  process.stdout.write(`one empty hook, median of ${runs}: sandboxed ${fmt(median(hook.on))}, unsandboxed ${fmt(median(hook.off))}\n`);
} finally {
  rmSync(base, { recursive: true, force: true });
}
