// docs/getting-started.md as a newcomer follows it: every shell block whose first line is
// `# checked:` runs here, in order, in a scratch directory standing in for /opt/deploybot
// (bin/ and deploy/ from this checkout, a config/ of its own). Each must exit 0; what the
// reader is told to expect is checked too (config check's "ok", the version).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const DOC = readFileSync(join(ROOT, 'docs/getting-started.md'), 'utf8');
const blocks = [...DOC.matchAll(/```sh\n(# checked: ([^\n]*)\n[\s\S]*?)```/g)].map((m) => ({ what: m[2]!, script: m[1]! }));
const dir = mkdtempSync(join(tmpdir(), 'deploybot-getting-started-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/getting-started.md', () => {
  it('marks the commands that can run here', () => {
    expect(blocks.map((b) => b.what)).toEqual([
      'the bin answers',
      'a deploy key for the bot (no passphrase: nobody is there to type it)',
      'a config for two SSH hosts, validated by config check',
      'systemd accepts the shipped units',
      'the signature the upload hook expects (HMAC-SHA256 of the body, hex)',
    ]);
  });

  it('when its checked blocks run in order, then each exits 0 and says what the doc promises', () => {
    symlinkSync(join(ROOT, 'bin'), join(dir, 'bin'));
    symlinkSync(join(ROOT, 'deploy'), join(dir, 'deploy'));
    mkdirSync(join(dir, 'config'));
    const outputs: string[] = [];
    for (const block of blocks) {
      const run = spawnSync('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', block.script], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8' }, timeout: 60_000 });
      expect({ block: block.what, status: run.status, stderr: run.stderr }).toEqual({ block: block.what, status: 0, stderr: '' });
      outputs.push(run.stdout);
    }
    const [bin, key, config, , upload] = outputs;
    expect(bin).toMatch(/^deploybot \d+\.\d+\.\d+\nusage: deploybot <command>\n$/);
    expect(key).toMatch(/^256 SHA256:\S+ deploybot \(ED25519\)\n$/);
    expect(config).toMatch(/config\/deploybot\.yaml: ok — 1 projects, 1 markets, 1 locations, 2 hosts, 1 keys/);
    expect(upload).toMatch(/^X-Deploybot-Signature: sha256=[0-9a-f]{64}\n$/);
  }, 120_000);
});
