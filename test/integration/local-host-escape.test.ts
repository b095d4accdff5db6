// A `{ local: dir }` host's hooks run in the sandbox with the host's directory writable
// (docs/operations.md, "Repository code is sandboxed"). What they leave there — a symlink
// in place of `.incoming`, of the releases directory, of a release — is followed by nobody:
// the bot's own reads, writes and deletes on that host stay inside its directory.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { MemoryCheckpoint } from '../../src/deploy/deploy-checkpoint.ts';
import { runDeploy } from '../../src/deploy/run-deploy.ts';
import { deployPlan, deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';

let base: string;
let repo: TestRepo;
let dataDir: string;
let victim: string;

function configWith(afterDeploy: string, beforeDeploy?: string, host = 'br-1'): Config {
  return deployTestConfig({
    dir: base,
    repo: repo.dir,
    hosts: { [host]: { local: `hosts/${host}` } },
    project: { keepReleases: 1, hooks: { afterDeploy, ...(beforeDeploy ? { beforeDeploy } : {}) } },
  });
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-local-escape-'));
  repo = makeGitRepo(join(base, 'repo'));
  dataDir = join(base, 'var');
  victim = join(base, 'victim');
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('a local host whose hooks plant symlinks out of its directory', () => {
  it('when afterDeploy replaces .incoming with a symlink to a directory outside the host, then prune deletes nothing there', async () => {
    mkdirSync(victim, { recursive: true });
    writeFileSync(join(victim, 'precious.txt'), 'keep me');
    // the hook runs in the release directory; inside the sandbox the target need not exist
    const config = configWith(`rm -rf ../.incoming && ln -s ${victim} ../.incoming`);
    const result = await runDeploy(deployPlan({ ref: 'v1', hosts: ['br-1'] }), { config, dataDir, checkpoint: new MemoryCheckpoint() });
    expect(result.error).toBeUndefined();
    expect(existsSync(join(victim, 'precious.txt'))).toBe(true);
    expect(readdirSync(victim)).toEqual(['precious.txt']);
    expect(result.hosts.find((h) => h.host === 'br-1')?.steps.prune).toMatchObject({ status: 'failed', error: { code: 'host_path_escapes' } });
  });

  it('when the next deploy finds that symlink, then it fails on the host naming it and writes nothing outside the host', async () => {
    const config = configWith('true');
    const result = await runDeploy(deployPlan({ ref: 'v2', hosts: ['br-1'] }), { config, dataDir, checkpoint: new MemoryCheckpoint() });
    expect(result.outcome).not.toBe('success');
    expect(JSON.stringify(result)).toContain('host_path_escapes');
    expect(readdirSync(victim)).toEqual(['precious.txt']);
  });

  it('when a hook plants symlinks where the bot keeps hook state (pid, out, exit), then the bot never reads a file of its machine back into the output', async () => {
    const secret = join(base, 'outside-secret.txt');
    writeFileSync(secret, `machine-secret-${Date.now()}\n`);
    // beforeDeploy runs in the new release directory; its state would be .deploybot/<deploy>/<hook>
    const plant = `mkdir -p .deploybot && for d in .deploybot/*/; do ln -sf ${secret} "$d"beforeDeploy/out; ln -sf ${secret} "$d"afterDeploy/out; done; mkdir -p .deploybot/x/afterDeploy && ln -sf ${secret} .deploybot/x/afterDeploy/out; ls -la .deploybot || true`;
    const config = configWith('echo after', plant, 'br-2');
    const result = await runDeploy(deployPlan({ ref: 'v3', hosts: ['br-2'] }), { config, dataDir, checkpoint: new MemoryCheckpoint() });
    expect(result.hosts.find((h) => h.host === 'br-2')?.steps.beforeDeploy).toMatchObject({ status: 'done' });
    expect(JSON.stringify(result)).not.toContain('machine-secret-');
  });
});
