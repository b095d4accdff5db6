// `npm run demo -- --script` as a newcomer runs it: the scripted tour exits 0 only if every
// step behaved. It runs on a copy of the example config in a temp folder, so a developer's
// own var/demo is left alone.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const base = mkdtempSync(join(tmpdir(), 'deploybot-demo-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

it('when the demo script runs, then every step of the walkthrough behaves and it exits 0', async () => {
  mkdirSync(join(base, 'config'));
  copyFileSync(join(ROOT, 'config/deploybot.example.yaml'), join(base, 'config/deploybot.example.yaml'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/demo.ts'), '--script'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DEPLOYBOT_CONFIG: join(base, 'config/deploybot.example.yaml'), REDIS_URL: inject('redisUrl'), DEPLOYBOT_REDIS_PREFIX: `demo${process.pid}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(output).toMatch(/✓ walkthrough: all \d+ steps behaved/);
  expect(code).toBe(0);
}, 180_000);
