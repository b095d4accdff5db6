// `npm run demo -- --script` as a newcomer runs it: the scripted tour exits 0 only if every
// step behaved. It runs on a copy of the example config in a temp folder, so a developer's
// own var/demo is left alone.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
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
  // the walkthrough goes as planned: nothing in it is worth a warning (a rolled-back deploy once
  // logged its own ending as "location lease taken over by another execution")
  expect(output.split('\n').filter((line) => line.includes('"level":"warn"'))).toEqual([]);
  expect(code).toBe(0);
}, 180_000);

it('when a file of commands is fed to the demo (the README\'s tip), then it runs on the demo\'s own state and hosts', async () => {
  const dir = join(base, 'piped');
  mkdirSync(join(dir, 'config'), { recursive: true });
  copyFileSync(join(ROOT, 'config/deploybot.example.yaml'), join(dir, 'config/deploybot.example.yaml'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/demo.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DEPLOYBOT_CONFIG: join(dir, 'config/deploybot.example.yaml'), REDIS_URL: inject('redisUrl'), DEPLOYBOT_REDIS_PREFIX: `demo-piped${process.pid}` },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  child.stdin.end('deploy mala-core dev v1.0\nwait\nhistory mala-core dev\nexit\n');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
  expect(output).toMatch(/✅ success/);
  // the demo's data and hosts: var/demo beside the config's folder
  expect(readlinkSync(join(dir, 'var/demo/hosts/dev-1/data/prod/mala-core'))).toMatch(/v1\.0-/);
  expect(existsSync(join(dir, 'var/demo/data'))).toBe(true);
}, 180_000);
