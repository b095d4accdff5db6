// `deploybot console --http` as a user runs it (the real bin): it says where the deploy pages
// are, the progress message carries the deploy's Details URL on its own line, the page behind
// it shows the deploy, and `history` links to the list.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { waitUntil } from '../../src/services/wait-until.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';

const BIN = join(import.meta.dirname, '../../bin/deploybot.js');
const base = mkdtempSync(join(tmpdir(), 'deploybot-console-http-'));
let child: ChildProcessWithoutNullStreams | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(base, { recursive: true, force: true });
});

describe('deploybot console --http', () => {
  it('when a deploy is typed, then its Details URL is printed and serves its page; history links to the list; stats counts it', async () => {
    const repo = makeGitRepo(join(base, 'repo'));
    writeTestConfig(base, {
      hosts: { 'dev-1': { local: 'hosts/dev-1' } },
      markets: { dev: { approval: 'none', locations: { main: { role: 'production', hosts: ['dev-1'] } } } },
      projects: { 'mala-core': { repo: repo.dir, build: { command: 'sh build.sh', output: 'dist' }, path: '/data/prod/mala-core', releasesDir: '/data/codes/mala-core', markets: ['dev'] } },
    });
    child = spawn(process.execPath, [BIN, 'console', '--http', '--config', join(base, 'deploybot.yaml'), '--user', 'alice'], {
      cwd: base,
      env: { ...process.env, REDIS_URL: inject('redisUrl'), DEPLOYBOT_REDIS_PREFIX: `console-http-${process.pid}`, DEPLOYBOT_DATA: join(base, 'var'), PORT: '0', DEPLOYBOT_WEB_SECRET: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));

    await waitUntil(() => /deploy pages: http:\/\/127\.0\.0\.1:\d+\/deploys\?t=/.test(stderr), { timeoutMs: 30_000, what: `the console to say where its pages are (stderr: ${stderr})` });
    const index = /deploy pages: (\S+)/.exec(stderr)![1]!;
    child.stdin.write('deploy mala-core dev v1\nwait\nhistory mala-core dev\nstats mala-core dev 7\n');
    await waitUntil(() => /^dev: deploys .*$/m.test(stdout), { timeoutMs: 60_000, what: `the stats answer (stdout: ${stdout})` });
    // one successful production deploy; its lead time runs from the tag's commit to the switch
    expect(/^dev: deploys (.*)$/m.exec(stdout)![1]).toMatch(/^1 in 7 d \(0\.14\/day\) · lead time \S.* median \(1\) · change failure rate 0% \(0\/1\) · recovery —$/);

    const details = [...stdout.matchAll(/^Details: (http\S+)$/gm)].map((m) => m[1]!);
    expect(details.length).toBeGreaterThan(0);
    expect(stdout).toMatch(/📊 mala-core in production, last 7 day\(s\)/);
    const deployId = /(d-\d{8}-\d{4})/.exec(stdout)![1]!;
    expect(new Set(details)).toEqual(new Set([details[0]])); // one link per deploy, the same on every edit
    const page = await fetch(details[0]!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(deployId);
    expect(html).toContain('data-host-row="dev-1"');
    expect(html).toContain('release v1</dd>'); // the commit's subject, in the header

    const list = await fetch(/All deploys: (\S+)/.exec(stdout)![1]!);
    expect(list.status).toBe(200);
    expect(await list.text()).toContain(`>${deployId}</a>`);
    expect((await fetch(index)).status).toBe(200);
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child!.on('close', resolve));
    expect(code).toBe(0);
  }, 120_000);
});
