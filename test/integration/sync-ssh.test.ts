// `sync` on real sshd hosts (docs/operations.md, "Hosts that join or drift"): after a deploy,
// one host's symlink is pointed elsewhere by hand, another loses its release directory and a
// fourth host joins the config; `sync --dry-run` names exactly those three and changes
// nothing; `sync` gives them the recorded release id (one afterDeploy each) and leaves the
// others alone; a second `sync` finds every host on its release.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { waitForDeploy } from '../../src/app/wait-for-deploy.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { type SshTestHost, type SshTestHosts, startSshHosts, sshHostEntries } from '../support/ssh-hosts.ts';


/** Generous: real builds and sshd under a loaded machine. */
const settle = (h: JobHarness, id: string) => waitForDeploy(h.jobs.rt, id, undefined, 150_000);
let base: string;
let repo: TestRepo;
let ssh: SshTestHosts;
let hosts: SshTestHost[];
const prefix = `t${randomUUID().slice(0, 8)}`;
const HOOK = 'echo "$DEPLOY_ID $RELEASE_ID" >> /data/after-deploy.log';

function configWith(dir: string, names: string[]): Config {
  mkdirSync(dir, { recursive: true });
  return deployTestConfig({
    dir,
    repo: repo.dir,
    privateKey: ssh.privateKey,
    hosts: sshHostEntries(hosts),
    locationHosts: names,
    project: { hostTimeout: '60s', keepReleases: 5, hooks: { afterDeploy: HOOK } },
  });
}

async function harness(config: Config): Promise<JobHarness> {
  return startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix });
}

const link = (host: SshTestHost) => readlinkSync(join(host.root, 'prod/mala-core'));
const hookLines = (host: SshTestHost) => {
  const file = join(host.root, 'after-deploy.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
};

async function notes(h: JobHarness, id: string): Promise<string[]> {
  return (await h.jobs.rt.bus.notices(id)).flatMap((n) => (n.type === 'job.note' ? [n.text] : []));
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-sync-'));
  repo = makeGitRepo(join(base, 'repo'));
  ssh = await startSshHosts(4, { prefix: 'br-' });
  hosts = ssh.hosts;
}, 120_000);

afterAll(async () => {
  await ssh?.stopAll();
  rmSync(base, { recursive: true, force: true });
});

describe('sync', () => {
  it('when hosts drift, lose their release or join, then sync brings exactly those to the recorded release', async () => {
    const [drifted, emptied, untouched, joined] = hosts as [SshTestHost, SshTestHost, SshTestHost, SshTestHost];
    let h = await harness(configWith(join(base, 'three'), [drifted.name, emptied.name, untouched.name]));
    let v1 = '';
    let v2 = '';
    try {
      const first = await h.request('alice', 'deploy mala-core brazil v1');
      const deployed = await settle(h, first);
      expect({ state: deployed.state, reason: deployed.reason }).toEqual({ state: 'success', reason: undefined });
      v1 = link(untouched).split('/').at(-1)!;
      const second = await h.request('alice', 'deploy mala-core brazil v2');
      const record = await settle(h, second);
      expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
      v2 = record.releaseId!;
      // the record says which directory and package the hosts got
      const current = (await h.jobs.rt.releases.read('mala-core', 'brazil')).releases.production!.current!;
      expect(current.releaseId).toBe(v2);
      expect(current.sha256).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await h.close();
    }

    // by hand: one host back to v1, one host's v2 directory gone, and a fourth host in the config
    unlinkSync(join(drifted.root, 'prod/mala-core'));
    symlinkSync(`/data/codes/mala-core/${v1}`, join(drifted.root, 'prod/mala-core'));
    rmSync(join(emptied.root, 'codes/mala-core', v2), { recursive: true });
    h = await harness(configWith(join(base, 'four'), hosts.map((x) => x.name)));
    try {
      const before = hosts.map((x) => [existsSync(join(x.root, 'prod/mala-core')) ? link(x) : null, hookLines(x).length]);
      const dry = await h.say('alice', 'sync mala-core brazil --dry-run');
      expect(dry.deployIds).toEqual([]);
      const text = dry.private.join('\n');
      expect(text).toContain('3 of 4 hosts would change');
      expect(text).toContain(`${drifted.name}: drifted from ${v2} (production) to ${v1}`);
      expect(text).toContain(`${emptied.name}: ${v2} (production) is missing on disk`);
      expect(text).toContain(`${joined.name}: new, gets ${v2}`);
      expect(text).not.toContain(`${untouched.name}:`);
      expect(hosts.map((x) => [existsSync(join(x.root, 'prod/mala-core')) ? link(x) : null, hookLines(x).length])).toEqual(before);
      expect(existsSync(join(emptied.root, 'codes/mala-core', v2))).toBe(false);

      // status names the same three, and the command that fixes them
      const status = (await h.say('alice', 'status mala-core brazil')).public.map((m) => m.text).join('\n');
      expect(status).toContain(`⚠️ ${drifted.name} (main): drifted from ${v2} (production) to ${v1}`);
      expect(status).toContain(`⚠️ ${emptied.name} (main): ${v2} (production) is missing on disk`);
      expect(status).toContain(`✅ ${untouched.name} (main): on ${v2} (production)`);
      expect(status).toContain(`🆕 ${joined.name} (main): new`);
      expect(status).toContain('`sync mala-core brazil`');

      const untouchedHooks = hookLines(untouched);
      const id = await h.request('alice', 'sync mala-core brazil');
      const record = await settle(h, id);
      expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
      for (const host of hosts) {
        expect(link(host)).toBe(`/data/codes/mala-core/${v2}`);
        expect(readFileSync(join(host.root, 'codes/mala-core', v2, 'app.txt'), 'utf8')).toBe('app v2\n');
      }
      for (const host of [drifted, emptied, joined]) expect(hookLines(host).filter((l) => l.startsWith(id))).toEqual([`${id} ${v2}`]);
      expect(hookLines(untouched)).toEqual(untouchedHooks);
      const said = (await notes(h, id)).join('\n');
      expect(said).toContain(`synced ${drifted.name}, ${emptied.name}, ${joined.name}`);

      const again = await h.request('alice', 'sync mala-core brazil');
      expect((await settle(h, again)).state).toBe('success');
      expect(await notes(h, again)).toContain('all 4 hosts are already on their recorded releases; nothing was changed');
      for (const host of hosts) expect(hookLines(host).some((l) => l.startsWith(again))).toBe(false);
    } finally {
      await h.close();
    }
  }, 600_000);

  it('when a location is locked, then sync still runs (it restores what was approved)', async () => {
    const [first] = hosts as [SshTestHost];
    const h = await harness(configWith(join(base, 'four'), hosts.map((x) => x.name)));
    try {
      await h.say('bob', 'lock mala-core brazil incident 42');
      const refused = await h.say('alice', 'deploy mala-core brazil v3');
      expect(refused.deployIds).toEqual([]);
      const recorded = link(first);
      unlinkSync(join(first.root, 'prod/mala-core'));
      const sync = await h.request('alice', `sync mala-core brazil --hosts ${first.name}`);
      const record = await settle(h, sync);
      expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
      expect(link(first)).toBe(recorded);
    } finally {
      await h.say('bob', 'unlock mala-core brazil');
      await h.close();
    }
  }, 400_000);
  it('when no worker has the package and the rebuild differs from the recorded sha256, then sync refuses and switches nothing', async () => {
    const [first] = hosts as [SshTestHost];
    const h = await harness(configWith(join(base, 'four'), hosts.map((x) => x.name)));
    try {
      const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
      const current = state.releases.production!.current!;
      const forget = () => {
        rmSync(join(first.root, 'codes/mala-core', current.releaseId!), { recursive: true });
        rmSync(join(base, 'var', 'packages'), { recursive: true, force: true });
        rmSync(join(base, 'var', 'builds'), { recursive: true, force: true });
      };
      // the recorded sha256: a rebuild of the recorded commit matches it, and the host gets it
      forget();
      const rebuilt = await h.request('alice', `sync mala-core brazil --hosts ${first.name}`);
      expect((await settle(h, rebuilt)).state).toBe('success');
      expect(readFileSync(join(first.root, 'codes/mala-core', current.releaseId!, 'app.txt'), 'utf8')).toBe('app v2\n');

      await h.jobs.rt.releases.recordRelease({ project: 'mala-core', market: 'brazil', release: 'production', version: current.version, commit: current.commit, deployId: current.deployId, by: current.by, at: current.at, servers: state.releases.production!.servers, releaseId: current.releaseId!, sha256: 'f'.repeat(64) });
      forget();
      const id = await h.request('alice', `sync mala-core brazil --hosts ${first.name}`);
      const record = await settle(h, id);
      expect(record.state).toBe('failed');
      expect(record.reason).toContain('has another sha256 than the recorded ffffffffffff');
      expect(existsSync(join(first.root, 'codes/mala-core', current.releaseId!))).toBe(false);
      // a sync is not retried (a retry would ship and record a release): it is run again
      const retry = await h.say('alice', `retry ${id}`);
      expect(retry.deployIds).toEqual([]);
      expect([...retry.private, ...retry.public.map((m) => m.text)].join('\n')).toContain('run `sync mala-core brazil` again');
    } finally {
      await h.close();
    }
  }, 400_000);

});
