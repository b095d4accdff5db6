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

/** The main table's row starting with `label`, cell by column header. */
function rowOf(output: string, label: string): Record<string, string> {
  const lines = output.split('\n');
  const header = lines.find((l) => l.startsWith('hosts | outcome | '));
  const line = lines.find((l) => l.startsWith(`${label} | `));
  expect(header && line, `the table and a row "${label}" in:\n${output}`).toBeTruthy();
  const names = header!.split(' | ');
  const cells = line!.split(' | ');
  return Object.fromEntries(names.map((name, i) => [name.replaceAll('*', ''), cells[i]!.replaceAll('*', '')]));
}

describe('bench/scale.ts', () => {
  it('when run for 10 local hosts and 10 failing alike, then every row is measured and the failing deploy\'s final message is one grouped entry within Block Kit limits', async () => {
    const { code, output } = await runBench(['--counts', '10', '--ssh', '0', '--fail-hosts', '10']);
    expect(code, output).toBe(0);

    const ok = rowOf(output, '10 local');
    expect(ok.outcome).toBe('success');
    expect(Number(ok.notices)).toBeGreaterThan(10); // at least one per host
    expect(Number(ok['engine ms per host'])).toBeGreaterThan(0);
    expect(Number(ok['Redis bytes per host'])).toBeGreaterThan(0);
    expect(Number(ok['serve CPU ms per notice'])).toBeGreaterThan(0);
    expect(Number(ok['chat posts'])).toBe(1); // one progress message
    expect(Number(ok['Web API calls'])).toBeGreaterThanOrEqual(3); // the answer, the post, the final edit
    expect(Number(ok['final message lag s (after deploy.finished)'])).toBeGreaterThanOrEqual(0);

    const failing = rowOf(output, '10 local, all failing alike');
    expect(failing.outcome).toBe('failed');
    expect(output).toMatch(/^10 local, all failing alike: failure entries .* \| 1, with the count 10 \| 1 .* \| yes$/m);
    expect(output).toMatch(/^10 local, all failing alike: the final message within Block Kit limits \| no problem \| none .* \| yes$/m);
  }, 150_000);
});
