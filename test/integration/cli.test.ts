import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/deploybot.js');

/** Runs the real `deploybot` bin as a user would, feeding `stdin`. */
function deploybot(args: string[], stdin = '', env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: join(import.meta.dirname, '../..'), env: { ...process.env, DEPLOYBOT_CONFIG: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('deploybot command line', () => {
  it('when --help, -h or --version is given, then it answers and exits 0 (no parse error)', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await deploybot([flag]);
      expect({ flag, code: result.code, stderr: result.stderr }).toEqual({ flag, code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^usage: deploybot <command>/);
      expect(result.stdout).toContain('config check [file]');
    }
    const version = await deploybot(['--version']);
    expect(version).toEqual({ code: 0, stdout: `deploybot ${JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version}\n`, stderr: '' });
  });

  it('when the example config is checked, then it exits 0 with a one-line summary', async () => {
    const result = await deploybot(['config', 'check', 'config/deploybot.example.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toMatch(/ok — 3 projects, 4 markets/);
  });

  it('when a config has bare approver ids and a sole approver, then config check exits 0: the summary, then a warning line for each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybot-cli-'));
    const file = join(dir, 'warned.yaml');
    writeFileSync(file, [
      'people: { alice: { slack: U01ALICE, console: alice } }',
      'hosts: { a: { local: a }, b: { local: b } }',
      'markets:',
      '  brazil: { approval: { approvers: [alice, U01BOB] }, locations: { main: { role: production, hosts: [a] } } }',
      '  idn: { approval: { approvers: [alice] }, locations: { main: { role: production, hosts: [b] } } }',
      'projects: { p: { repo: r, path: /x, releasesDir: /y, markets: [brazil, idn] } }',
    ].join('\n'));
    const result = await deploybot(['config', 'check', file]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      `${file}: ok — 1 projects, 2 markets, 2 locations, 2 hosts, 0 keys`,
      '2 warnings:',
      'markets.brazil.approval.approvers.1: "U01BOB" matches on every platform; write slack:U01BOB',
      'markets.idn.approval.required: needs 1 approval(s) from 1 distinct approver(s): a deploy requested by one of them can never be approved',
    ]);
  });

  it('when a broken config is checked, then it exits 1 listing every problem by path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybot-cli-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, [
      'hosts: { a: { local: a } }',
      'markets: { dev: { locations: { main: { role: production, hosts: [a, ghost] } } } }',
      'projects: { p: { repo: r, path: /x, releasesDir: /y, markets: [dev, mars] } }',
    ].join('\n'));
    const result = await deploybot(['config', 'check', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('markets.dev.locations.main.hosts.1: unknown host "ghost"');
    expect(result.stdout).toContain('projects.p.markets.1: unknown market "mars"');
  });

  it('when the console gets a command for an unknown project, then it answers naming it and exits 0', async () => {
    const result = await deploybot(['console'], 'deploy nosuch brazil v1\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('unknown project "nosuch"');
  });

  it('when the console gets help, then every verb is listed', async () => {
    const result = await deploybot(['console', '--config', 'config/deploybot.example.yaml'], '/help\n');
    expect(result.code).toBe(0);
    for (const verb of ['deploy', 'gray start', 'gray cancel', 'gray promote', 'review start', 'review promote', 'rollback', 'approve', 'reject', 'retry', 'cancel', 'status', 'history', 'lock', 'unlock']) {
      expect(result.stdout).toContain(verb);
    }
  });

  it('when an unknown subcommand is given, then it exits 2 with the usage', async () => {
    const result = await deploybot(['deplo']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: deploybot');
  });
});
