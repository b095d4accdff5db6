// The chaos run of docs/operations.md ("Host steps outlive their worker", "Stuck deploys",
// "When ZooKeeper is away"), shared by test/integration/chaos.test.ts and bench/chaos.ts: a
// seeded sequence of deploys (alternating v1/v2) of a project whose beforeDeploy and
// afterDeploy hooks sleep a little and append `<deployId> <hook>` to a log on each of 3 real
// sshd hosts, to a market whose release state is in a ZooKeeper started here. During each
// deploy the `deploybot worker` process is SIGKILLed at seeded moments (during distribute,
// inside beforeDeploy on a host, between switches, inside afterDeploy on a host — each
// recognised from the deploy's events in Redis or the hosts' hook logs) and a replacement
// started; once in the run Redis and once ZooKeeper are restarted at a seeded moment. Nobody
// types anything but the deploys. The outcome is the facts a person would check afterwards.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { DeployNotice } from '../../src/deploy/deploy-notice.ts';
import { isTerminal } from '../../src/domain/deploy-record.ts';
import type { ReleaseCurrent } from '../../src/domain/release-state.ts';
import { waitForDeploy } from '../../src/app/wait-for-deploy.ts';
import { startLocalZooKeeper } from '../../src/services/local-zookeeper.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { openReleaseStore } from '../../src/store/open-release-store.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';
import { startRestartableRedis } from '../fixtures/restartable-redis.ts';
import { startWorkerProcess, type WorkerProcess } from '../fixtures/worker-process.ts';
import { startSshHosts } from './ssh-hosts.ts';

const CHAOS_MOMENTS = ['distribute', 'beforeDeploy', 'between switches', 'afterDeploy'] as const;
type ChaosMoment = (typeof CHAOS_MOMENTS)[number];
type ChaosAction = 'kill worker' | 'restart redis' | 'restart zookeeper';

export interface Disruption {
  /** 0-based index of the deploy it happens in. */
  deploy: number;
  moment: ChaosMoment;
  /** The host whose event marks the moment (distribute, beforeDeploy, afterDeploy). */
  host: string;
  /** Between switches: after this many hosts have switched (1 or 2 of 3). */
  switched: number;
  action: ChaosAction;
}

export interface ChaosOptions {
  seed: number;
  deploys: number;
  /** Worker kills in all; every deploy gets at least one. @defaultValue deploys */
  kills?: number;
  log?: (line: string) => void;
}

export interface ChaosOutcome {
  seed: number;
  plan: Disruption[];
  /** Per disruption: whether the deploy was still running when it happened. */
  landed: boolean[];
  deploys: { id: string; version: string; state: string; reason?: string; releaseId?: string; failures: string[] }[];
  /** Per host: the hook log's lines. */
  hookLines: Record<string, string[]>;
  /** Per host: the release its `path` points at, and whether that release directory is complete. */
  online: Record<string, { releaseId?: string; app?: string }>;
  /** ZooKeeper's production `current`, read afterwards by a fresh client. */
  current?: ReleaseCurrent;
  commits: Record<string, string>;
}

const CHAOS_HOSTS = ['c-1', 'c-2', 'c-3'];
const VERSIONS = ['v1', 'v2'];
const HOOK = (name: string) => `echo "$DEPLOY_ID ${name}" >> ../hooks.log; sleep "$(cat ../hook-sleep 2>/dev/null || echo 0)"`;

/** mulberry32: a small seeded PRNG, so a seed replays the same plan. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The disruptions of a run, in the order they happen (by deploy, then by moment). */
function chaosPlan(seed: number, deploys: number, kills = deploys): Disruption[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const one = (deploy: number, action: ChaosAction): Disruption => ({ deploy, moment: pick(CHAOS_MOMENTS), host: pick(CHAOS_HOSTS), switched: 1 + Math.floor(random() * 2), action });
  const plan: Disruption[] = [];
  for (let d = 0; d < deploys; d += 1) plan.push(one(d, 'kill worker'));
  for (let k = deploys; k < kills; k += 1) plan.push(one(Math.floor(random() * deploys), 'kill worker'));
  plan.push(one(Math.floor(random() * deploys), 'restart redis'));
  plan.push(one(Math.floor(random() * deploys), 'restart zookeeper'));
  return plan.sort((a, b) => a.deploy - b.deploy || CHAOS_MOMENTS.indexOf(a.moment) - CHAOS_MOMENTS.indexOf(b.moment));
}

export function describeDisruption(d: Disruption): string {
  const where = d.moment === 'between switches' ? `between switches (after ${d.switched} of 3)` : d.moment === 'distribute' ? `during distribute (${d.host})` : `inside ${d.moment} on ${d.host}`;
  return `${d.action} ${where}`;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosOutcome> {
  const log = options.log ?? (() => {});
  const plan = chaosPlan(options.seed, options.deploys, options.kills);
  const random = seededRandom(options.seed ^ 0x5eed);
  const base = mkdtempSync(join(tmpdir(), 'deploybot-chaos-'));
  const workers: WorkerProcess[] = [];
  const redis = await startRestartableRedis();
  const zk = await startLocalZooKeeper();
  const ssh = await startSshHosts(CHAOS_HOSTS.length, { prefix: 'c-' });
  let h: JobHarness | undefined;
  try {
    const repo = makeGitRepo(join(base, 'repo'), { tags: VERSIONS });
    const root = (host: string) => ssh.hosts.find((x) => x.name === host)!.root;
    const releasesDir = (host: string) => join(root(host), 'codes/mala-core');
    for (const host of CHAOS_HOSTS) mkdirSync(releasesDir(host), { recursive: true });
    const config = deployTestConfig({
      dir: base,
      repo: repo.dir,
      privateKey: ssh.privateKey,
      hosts: Object.fromEntries(ssh.hosts.map((x) => [x.name, { address: x.address, port: x.port, user: x.user, hostKey: x.hostKey }])),
      project: { parallel: 2, hostTimeout: '30s', hookTimeout: '60s', hooks: { beforeDeploy: HOOK('before'), afterDeploy: HOOK('after') } },
      market: { zookeeper: { connect: zk.connect, root: `/chaos-${options.seed}`, sessionTimeout: '4s' }, recordTimeout: '90s' },
    });
    const prefix = `chaos${process.pid}`;
    const env = { REDIS_URL: redis.url, DEPLOYBOT_DATA: join(base, 'var'), DEPLOYBOT_REDIS_PREFIX: prefix, DEPLOYBOT_TEST_KEY: ssh.privateKey };
    const worker = async () => {
      const started = await startWorkerProcess(env, config.file);
      workers.push(started);
      return started;
    };
    h = await startJobHarness({ config, redisUrl: redis.url, dataDir: join(base, 'var'), prefix, workers: false });
    const rt = h.jobs.rt;
    const hookLines = (host: string) => (existsSync(join(releasesDir(host), 'hooks.log')) ? readFileSync(join(releasesDir(host), 'hooks.log'), 'utf8').split('\n').filter(Boolean) : []);

    /** Whether the moment has come (or the deploy ended without it); Redis down counts as "not yet". */
    const reached = async (id: string, d: Disruption): Promise<'now' | 'ended' | false> => {
      let notices: DeployNotice[];
      try {
        if (isTerminal((await rt.records.require(id)).state)) return 'ended';
        notices = await rt.bus.notices(id);
      } catch {
        return false;
      }
      const hostNotice = (type: string, step: string, host?: string) => notices.filter((n) => n.type === type && 'step' in n && n.step === step && (host === undefined || ('host' in n && n.host === host)));
      switch (d.moment) {
        case 'distribute':
          return hostNotice('host.started', 'distribute', d.host).length > 0 && 'now';
        case 'beforeDeploy':
          return hookLines(d.host).includes(`${id} before`) && 'now';
        case 'between switches':
          return hostNotice('host.finished', 'link').length >= d.switched && 'now';
        case 'afterDeploy':
          return hookLines(d.host).includes(`${id} after`) && 'now';
      }
    };

    let current = await worker();
    const landed: boolean[] = [];
    const deploys: ChaosOutcome['deploys'] = [];
    for (let i = 0; i < options.deploys; i += 1) {
      const version = VERSIONS[i % VERSIONS.length]!;
      // each host's hooks sleep 0.3–1.5 s this deploy (seeded), so the moments inside them are windows
      for (const host of CHAOS_HOSTS) writeFileSync(join(releasesDir(host), 'hook-sleep'), (0.3 + random() * 1.2).toFixed(2));
      const id = await h.request('alice', `deploy mala-core brazil ${version}`);
      log(`chaos: deploy ${i + 1}/${options.deploys} ${id} (${version})`);
      for (const d of plan.filter((x) => x.deploy === i)) {
        const when = await waitUntil(() => reached(id, d), { what: `${id}: ${describeDisruption(d)}`, timeoutMs: 120_000, intervalMs: 20 });
        landed.push(when === 'now');
        if (d.action === 'kill worker') {
          await current.kill('SIGKILL');
          current = await worker();
        } else if (d.action === 'restart redis') {
          await redis.crash();
          await redis.start();
        } else {
          await zk.restart();
        }
        log(`chaos:   ${describeDisruption(d)}${when === 'now' ? '' : ' (the deploy had already ended)'}`);
      }
      const record = await waitForDeploy(rt, id, undefined, 180_000);
      const failures = (await rt.bus.notices(id)).flatMap((n) => (n.type === 'host.failed' ? [`${n.host} ${n.step}: ${n.error.code}: ${n.error.message}`] : []));
      deploys.push({ id, version, state: record.state, ...(record.reason !== undefined ? { reason: record.reason } : {}), ...(record.releaseId !== undefined ? { releaseId: record.releaseId } : {}), failures });
      log(`chaos:   ${id} ${record.state}${record.reason ? `: ${record.reason}` : ''}${failures.map((f) => `\n          ${f}`).join('')}`);
    }

    const online: ChaosOutcome['online'] = {};
    for (const host of CHAOS_HOSTS) {
      const link = join(root(host), 'prod/mala-core');
      // the link's target is a path inside the host (`/data/…`): read it, do not follow it
      const releaseId = lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink() ? basename(readlinkSync(link)) : undefined;
      const app = releaseId && existsSync(join(releasesDir(host), releaseId, 'app.txt')) ? readFileSync(join(releasesDir(host), releaseId, 'app.txt'), 'utf8') : undefined;
      online[host] = { ...(releaseId ? { releaseId } : {}), ...(app !== undefined ? { app } : {}) };
    }
    const fresh = openReleaseStore(config, { dataDir: join(base, 'var') });
    let currentRelease: ReleaseCurrent | undefined;
    try {
      currentRelease = (await fresh.read('mala-core', 'brazil')).releases.production?.current;
    } finally {
      await fresh.close();
    }
    return {
      seed: options.seed,
      plan,
      landed,
      deploys,
      hookLines: Object.fromEntries(CHAOS_HOSTS.map((host) => [host, hookLines(host)])),
      online,
      ...(currentRelease ? { current: currentRelease } : {}),
      commits: repo.commits,
    };
  } finally {
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await h?.close();
    await ssh.stopAll();
    await zk.stop();
    await redis.dispose();
    rmSync(base, { recursive: true, force: true });
  }
}

/** What is wrong after the run, in words; empty when the run survived. */
export function chaosProblems(o: ChaosOutcome): string[] {
  const problems: string[] = [];
  for (const d of o.deploys) if (d.state !== 'success' || d.reason !== undefined) problems.push(`${d.id} (${d.version}) ended ${d.state}${d.reason ? `: ${d.reason}` : ''}${d.failures.map((f) => `; ${f}`).join('')}`);
  const last = o.deploys.at(-1);
  if (!last) return problems;
  for (const host of CHAOS_HOSTS) {
    const { releaseId, app } = o.online[host]!;
    if (releaseId !== last.releaseId) problems.push(`${host} serves ${releaseId ?? 'nothing'}, not the last deploy's release ${last.releaseId}`);
    if (app !== `app ${last.version}\n`) problems.push(`${host}: the release it serves is not a complete ${last.version} (app.txt: ${JSON.stringify(app)})`);
    for (const d of o.deploys) {
      const lines = o.hookLines[host]!.filter((l) => l.startsWith(`${d.id} `));
      if (lines.join('|') !== `${d.id} before|${d.id} after`) problems.push(`${host}: the hooks of ${d.id} ran as [${lines.join(', ')}], not once each`);
    }
  }
  const c = o.current;
  if (c?.deployId !== last.id || c.version !== last.version || c.commit !== o.commits[last.version]) {
    problems.push(`ZooKeeper's production current is ${JSON.stringify(c && { version: c.version, deployId: c.deployId, commit: c.commit })}, not ${last.version} ${last.id}`);
  } else if (!last.releaseId?.startsWith(`${c.version}-`) || !last.releaseId.endsWith(c.commit.slice(0, 7))) {
    problems.push(`ZooKeeper's current (${c.version}, ${c.commit.slice(0, 7)}) does not name the release the hosts serve (${last.releaseId})`);
  }
  return problems;
}

export function chaosSummary(o: ChaosOutcome): string {
  const kills = o.plan.filter((d) => d.action === 'kill worker').length;
  const verdict = chaosProblems(o).length === 0 ? 'survived' : 'NOT survived';
  return `${o.deploys.length} deploys × ${kills} kills ${verdict} (plus one Redis and one ZooKeeper restart; seed ${o.seed}; ${o.landed.filter(Boolean).length}/${o.landed.length} disruptions landed inside a running deploy)`;
}
