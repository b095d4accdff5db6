// Can this machine sandbox repository code? Asked once per process (per bwrap path): a
// self-test runs a tiny script in the very sandbox builds get, and checks that it ran as
// the unprivileged uid and could write only its own directory.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { urlOnlyRedactor } from '../core/redactor.ts';
import { SANDBOX_UID } from './sandbox-argv.ts';
import { runSandboxedScript } from './run-sandboxed-script.ts';

export type SandboxProbe = { ok: true } | { ok: false; reason: string };

const probes = new Map<string, Promise<SandboxProbe>>();

export function probeSandbox(bwrapPath: string): Promise<SandboxProbe> {
  let probe = probes.get(bwrapPath);
  if (!probe) {
    probe = selfTest(bwrapPath);
    probes.set(bwrapPath, probe);
  }
  return probe;
}

async function selfTest(bwrapPath: string): Promise<SandboxProbe> {
  const dir = await mkdtemp(join(tmpdir(), 'deploybot-sandbox-probe-'));
  try {
    const result = await runSandboxedScript('id -u > probe', {
      bwrapPath,
      mounts: [{ from: dir, to: '/build', writable: true }],
      cwd: '/build',
      env: { PATH: '/usr/bin:/bin' },
      network: false,
      timeoutMs: 15_000,
      // the probe's OutputTail needs a redactor; the probe runs a fixed script with no secrets
      redactor: urlOnlyRedactor,
    });
    const output = result.outputTail.join(' ').trim();
    if (result.exitCode === null && /ENOENT/.test(output)) return { ok: false, reason: `bubblewrap is not installed (no ${bwrapPath}; Debian's package is bubblewrap)` };
    if (result.exitCode !== 0) return { ok: false, reason: `${bwrapPath} failed its self-test (${result.timedOut ? 'timed out' : `exit ${result.exitCode}`}${output ? `: ${output.slice(0, 200)}` : ''})` };
    const uid = (await readFile(join(dir, 'probe'), 'utf8').catch(() => '')).trim();
    if (uid !== String(SANDBOX_UID)) return { ok: false, reason: `${bwrapPath} failed its self-test (the code ran as uid ${uid || 'unknown'}, not ${SANDBOX_UID})` };
    return { ok: true };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
