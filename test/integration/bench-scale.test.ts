// bench/scale.ts in its smallest configuration, run as `npm run bench` runs it (a child
// process: `deploybot serve --no-workers` and `deploybot worker` under it, a local
// redis-server, the fake Slack API), so the benchmark cannot rot: one deploy to 10 local
// hosts and one to 10 local hosts whose beforeDeploy hook fails alike. What is checked is its
// table — each row measured — and its verdicts on the failing deploy's final message.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/scale.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The table row starting with `label`, as cells. */
function rowOf(output: string, label: string): string[] {
  const line = output.split('\n').find((l) => l.startsWith(`${label} | `));
  expect(line, `a row "${label}" in:\n${output}`).toBeDefined();
  return line!.split(' | ');
}

describe('bench/scale.ts', () => {
  it('when run for 10 local hosts and 10 failing alike, then every row is measured and the failing deploy\'s final message is one grouped entry within Block Kit limits', async () => {
    const { code, output } = await runBench(['--counts', '10', '--ssh', '0', '--fail-hosts', '10']);
    expect(code, output).toBe(0);

    const ok = rowOf(output, '10 local');
    expect(ok[1]).toBe('success');
    expect(Number(ok[2])).toBeGreaterThan(10); // notices: at least one per host
    expect(Number(ok[5])).toBeGreaterThan(0); // Redis bytes per host
    expect(Number(ok[7])).toBeGreaterThan(0); // notifier CPU per notice
    expect(Number(ok[9])).toBe(1); // one progress message posted
    expect(Number(ok[10])).toBeGreaterThanOrEqual(3); // the answer, the post, the final edit
    expect(Number(ok[12]!.replaceAll('*', ''))).toBeGreaterThanOrEqual(0); // final message lag, after the job's end

    const failing = rowOf(output, '10 local, all failing alike');
    expect(failing[1]).toBe('failed');
    expect(output).toMatch(/^10 local, all failing alike: failure entries .* \| 1, with the count 10 \| 1 .* \| yes$/m);
    expect(output).toMatch(/^10 local, all failing alike: the final message within Block Kit limits \| no problem \| none .* \| yes$/m);
  }, 150_000);
});
