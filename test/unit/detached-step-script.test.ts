// The detached-step wrapper run with this machine's /bin/sh: started once, its state read
// back as the transports read it (docs/operations.md, "Host steps outlive their worker").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/core/redactor.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { ALREADY_STARTED, parseWatch, startStepArgv, watchStepArgv } from '../../src/deploy/transports/detached-step-script.ts';

const base = mkdtempSync(join(tmpdir(), 'deploybot-detached-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const redactor = createRedactor(['s3cret-value']);
const sh = (argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
const watch = (dir: string, waitMs = 0) => parseWatch(sh(watchStepArgv(dir, waitMs)).stdout, redactor);

describe('the detached step wrapper', () => {
  it('when a step is started, then it runs once, a second start is refused, and its exit status and redacted output are read back', async () => {
    const dir = join(base, 'a/.deploybot/d1/beforeDeploy');
    const argv = startStepArgv(dir, base, 10_000, ['/bin/sh', '-c', 'echo run >> runs.log; echo "token s3cret-value"; exit 3']);
    expect(sh(argv).status).toBe(0);
    expect(sh(argv).status).toBe(ALREADY_STARTED);
    const state = await waitUntil(() => { const s = watch(dir, 1000); return s?.state === 'finished' ? s : undefined; }, { timeoutMs: 10_000, what: 'the step to finish' });
    expect(state).toEqual({ state: 'finished', exitCode: 3, outputTail: ['token [redacted]'] });
    expect(readFileSync(join(base, 'runs.log'), 'utf8')).toBe('run\n');
  });

  it('when a step runs, then it is reported running; when its process is killed without an exit status, then lost; never started, missing', async () => {
    const dir = join(base, 'b');
    expect(sh(startStepArgv(dir, base, 10_000, ['sleep', '30'])).status).toBe(0);
    expect(watch(dir)).toEqual({ state: 'running' });
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => watch(dir)?.state === 'lost', { timeoutMs: 10_000, what: 'the step to be lost' });
    expect(watch(join(base, 'never'))).toEqual({ state: 'missing' });
  });

  it('when a step outlives its timeout, then the host stops it with exit 124', async () => {
    const dir = join(base, 'c');
    expect(sh(startStepArgv(dir, base, 1000, ['sleep', '30'])).status).toBe(0);
    const state = await waitUntil(() => { const s = watch(dir, 1000); return s?.state === 'finished' ? s : undefined; }, { timeoutMs: 15_000, what: 'the timeout' });
    expect(state.exitCode).toBe(124);
  });

  it('when the watcher answers anything, then parsing never throws, and only its four answers are states', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      const state = parseWatch(text, redactor);
      if (state) expect(['missing', 'running', 'lost', 'finished']).toContain(state.state);
    }));
  });
});
