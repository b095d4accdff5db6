// Benchmark (not a CI gate): the engine's fan-out of a ~50 MB build to 1, 4 and 16 real
// sshd hosts, against baselines measured in the same run on the same hosts:
//   loop     for each host: scp the package; ssh "tar x into a release dir && ln -sfn"
//   xargs    the same per-host command, all hosts at once with xargs -P
// plus relay mode (one admin host pushing to 16): its wall time and the bot's upload volume.
// The build is warmed first, so every timed run measures distribution and switching only.
// The engine and xargs run `--rounds` times per host count, alternating which goes first (the
// machine is shared: load drifts), and the medians are compared; the CPU columns add up what
// each used on this machine — bot process (or ssh/scp clients) plus every sshd host — which
// load barely changes. Both sides use aes128-gcm@openssh.com (ssh2 picks it first on CPUs
// with AES-NI; OpenSSH's client would pick chacha20-poly1305, so the baseline is told to).
//
//   node --import tsx bench/deploy-fanout.ts [--mb 50] [--counts 1,4,16] [--rounds 3]
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config/load-config.ts';
import { MemoryCheckpoint } from '../src/deploy/deploy-checkpoint.ts';
import { runDeploy } from '../src/deploy/run-deploy.ts';
import { deployPlan, deployTestConfig } from '../test/fixtures/deploy-test-config.ts';
import { makeGitRepo } from '../test/fixtures/make-git-repo.ts';
import { waitUntil } from '../src/services/wait-until.ts';
import { type SshTestHost, startSshHosts } from '../test/support/ssh-hosts.ts';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '50' }, counts: { type: 'string', default: '1,4,16' }, rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const megabytes = Number(values.mb);
const counts = values.counts!.split(',').map(Number);
const maxHosts = Math.max(...counts);

const base = mkdtempSync(join(tmpdir(), 'deploybot-bench-'));
const ssh = await startSshHosts(maxHosts + 1, { prefix: 'b' });
const [admin, ...cluster] = ssh.hosts as [SshTestHost, ...SshTestHost[]];
try {
  const repo = makeGitRepo(join(base, 'repo'), { blobBytes: megabytes * 1_000_000 });
  const dataDir = join(base, 'var');
  const config = (admin_?: string): Config =>
    deployTestConfig({
      dir: base,
      repo: repo.dir,
      privateKey: ssh.privateKey,
      admin: admin_,
      locationHosts: cluster.map((h) => h.name),
      hosts: Object.fromEntries(ssh.hosts.map((h) => [h.name, { address: h.address, port: h.port, user: h.user, hostKey: h.hostKey }])),
      project: { parallel: maxHosts, keepReleases: 2, hostTimeout: '300s' },
    });
  const direct = config();
  const relayed = config(admin.name);

  // the admin's own access to its cluster, for relay mode (as in the relay test)
  const adminSsh = join(admin.root, '.ssh');
  mkdirSync(adminSsh, { recursive: true, mode: 0o700 });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(adminSsh, 'relay_ed25519')]);
  appendFileSync(join(dirname(dirname(cluster[0]!.root)), 'authorized_keys'), readFileSync(join(adminSsh, 'relay_ed25519.pub')));
  writeFileSync(join(adminSsh, 'known_hosts'), cluster.map((h) => `[${h.address}]:${h.port} ${h.hostKey}\n`).join(''));
  const relay = { identityFile: '/data/.ssh/relay_ed25519', knownHostsFile: '/data/.ssh/known_hosts', sshConfigFile: '/dev/null' };

  // baseline tools: the test key on disk for scp/ssh (bench only), pinned known_hosts
  const keyFile = join(base, 'baseline_key');
  writeFileSync(keyFile, ssh.privateKey, { mode: 0o600 });
  const knownHosts = join(base, 'known_hosts');
  writeFileSync(knownHosts, ssh.hosts.map((h) => `[${h.address}]:${h.port} ${h.hostKey}\n`).join(''));

  console.log(`warming the build (${megabytes} MB) …`);
  const warm = await runDeploy(deployPlan({ ref: 'v1', hosts: [cluster[0]!.name] }), { config: direct, dataDir, checkpoint: new MemoryCheckpoint() });
  if (warm.outcome !== 'success') throw new Error(`warm-up deploy failed: ${JSON.stringify(warm.error ?? warm.hosts)}`);
  const pkg = join(dataDir, 'packages', 'mala-core');
  const packagePath = execFileSync('find', [pkg, '-name', warm.package!.file], { encoding: 'utf8' }).trim().split('\n')[0]!;
  console.log(`package ${warm.package!.file}: ${(warm.package!.bytes / 1e6).toFixed(1)} MB`);

  const loadBefore = load();
  const rows: string[][] = [];
  const cpuRows: string[] = [];
  let run = 0;
  for (const count of counts) {
    const hosts = cluster.slice(0, count);
    const loop = await timeBaseline(hosts, 1);
    const bots: Awaited<ReturnType<typeof timeBot>>[] = [];
    const xargsRuns: Timed[] = [];
    for (let round = 0; round < rounds; round += 1) {
      // alternate which goes first, so a load that rises or falls during the round is shared
      if (round % 2 === 0) {
        bots.push(await timeBot(direct, hosts, undefined));
        xargsRuns.push(await timeBaseline(hosts, count));
      } else {
        xargsRuns.push(await timeBaseline(hosts, count));
        bots.push(await timeBot(direct, hosts, undefined));
      }
    }
    const bot = { ms: median(bots.map((b) => b.ms)), fanOutMs: median(bots.map((b) => b.fanOutMs)), bytes: bots[0]!.bytes, cpuMs: median(bots.map((b) => b.cpuMs)) };
    const xargs = { ms: median(xargsRuns.map((x) => x.ms)), cpuMs: median(xargsRuns.map((x) => x.cpuMs)) };
    rows.push([String(count), secs(bot.ms), secs(bot.fanOutMs), secs(loop.ms), secs(xargs.ms), ratio(bot.ms, loop.ms), ratio(bot.ms, xargs.ms), ratio(bot.fanOutMs, xargs.ms), mb(bot.bytes)]);
    cpuRows.push([String(count), bots.map((b) => secs(b.ms)).join(' '), xargsRuns.map((x) => secs(x.ms)).join(' '), secs(bot.cpuMs), secs(xargs.cpuMs), ratio(bot.cpuMs, xargs.cpuMs)].join(' | '));
  }
  const relayRun = await timeBot(relayed, cluster.slice(0, maxHosts), relay);

  // bot s: the whole deploy (resolve with a git fetch, cached build, distribute, switch, prune);
  // fan-out s: its distribute + switch steps, the part the baselines do
  console.log(`\nmedians of ${rounds} alternating rounds (scp loop: one run); ciphers: aes128-gcm@openssh.com on both sides`);
  console.log('hosts | bot s | fan-out s | scp loop s | xargs -P s | bot/loop | bot/xargs | fan-out/xargs | bot upload');
  console.log('----- | ----- | --------- | ---------- | ---------- | -------- | --------- | ------------- | ----------');
  for (const row of rows) console.log(row.join(' | '));
  console.log('\nevery round, and CPU used on this machine per deploy (medians): bot = its process + git + every sshd host; xargs = ssh/scp/sh + every sshd host');
  console.log('hosts | bot s (each round) | xargs -P s (each round) | bot CPU s | xargs CPU s | bot/xargs CPU');
  console.log('----- | ------------------ | ----------------------- | --------- | ----------- | -------------');
  for (const line of cpuRows) console.log(line);
  console.log(`\nrelay via admin to ${maxHosts} hosts: ${secs(relayRun.ms)} s, bot upload ${mb(relayRun.bytes)} (one package: ${mb(warm.package!.bytes)}); direct to ${maxHosts}: ${rows.at(-1)!.at(-1)}`);
  console.log(`\nload average (1/5/15 min) before: ${loadBefore}; after: ${load()}; ${new Date().toISOString()}`);

  // ==== Ansible baseline (issue 7 item 4) — its own section and table; see the end of this file ====
  ansibleBaseline({ base, cluster, counts, packagePath, keyFile, knownHosts, rows });
  // ==== end of the Ansible baseline ====

  async function timeBot(cfg: Config, hosts: SshTestHost[], relayOptions: typeof relay | undefined): Promise<{ ms: number; fanOutMs: number; bytes: number; cpuMs: number }> {
    run += 1;
    const plan = deployPlan({ ref: 'v1', hosts: hosts.map((h) => h.name), createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, run)).toISOString() });
    const cpuBefore = machineCpuMs(true);
    const started = performance.now();
    const result = await runDeploy(plan, { config: cfg, dataDir, checkpoint: new MemoryCheckpoint(), ...(relayOptions ? { relay: relayOptions } : {}) });
    const ms = performance.now() - started;
    if (result.outcome !== 'success') throw new Error(`bot deploy failed: ${JSON.stringify(result.error ?? result.hosts.filter((h) => h.outcome !== 'success'))}`);
    const fanOutMs = result.steps.filter((s) => s.step === 'distribute' || s.step === 'switch').reduce((sum, s) => sum + s.durationMs, 0);
    return { ms, fanOutMs, bytes: result.bytesUploaded, cpuMs: (await settledCpuMs(true)) - cpuBefore };
  }

  /** scp + ssh "tar x && ln -sfn" per host, `parallel` hosts at a time (1 = a plain loop). */
  async function timeBaseline(hosts: SshTestHost[], parallel: number): Promise<Timed> {
    run += 1;
    const id = `baseline-${run}`;
    const opts = `-o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${knownHosts} -i ${keyFile} -F /dev/null -c aes128-gcm@openssh.com`;
    const perHost = [
      'port=$1',
      `scp -q ${opts} -P "$port" ${packagePath} root@127.0.0.1:/data/baseline.tar.gz`,
      `ssh ${opts} -p "$port" root@127.0.0.1 "mkdir -p /data/codes/baseline/${id} && tar xzf /data/baseline.tar.gz -C /data/codes/baseline/${id} && ln -sfn /data/codes/baseline/${id} /data/prod/baseline.next && mv -T /data/prod/baseline.next /data/prod/baseline && rm -f /data/baseline.tar.gz"`,
    ].join(' && ');
    const script = join(base, `${id}.sh`);
    writeFileSync(script, `#!/bin/sh\nset -e\n${perHost}\n`);
    chmodSync(script, 0o755);
    for (const h of hosts) mkdirSync(join(h.root, 'prod'), { recursive: true });
    const cpuBefore = machineCpuMs(false);
    const started = performance.now();
    const done = spawnSync('sh', ['-c', `printf '%s\\n' ${hosts.map((h) => h.port).join(' ')} | xargs -P ${parallel} -n 1 ${script}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    const ms = performance.now() - started;
    if (done.status !== 0) throw new Error(`baseline failed (${done.status})`);
    const cpuMs = (await settledCpuMs(false)) - cpuBefore;
    for (const h of hosts) rmSync(join(h.root, 'codes/baseline'), { recursive: true, force: true });
    return { ms, cpuMs };
  }

  /**
   * CPU time (ms) used so far on this machine by this process's reaped children (the ssh/scp of
   * the baselines, git) and, with `self`, this process, plus every sshd host with the sessions
   * it reaped (sh, tar, gzip, sha256 …) — /proc's utime, stime, cutime and cstime.
   */
  function machineCpuMs(self: boolean): number {
    const mine = procCpuTicks(process.pid);
    const hosts = ssh.hosts.reduce((sum, h) => sum + (h.pid() === undefined ? 0 : sum0(procCpuTicks(h.pid()!))), 0);
    return (hosts + (self ? sum0(mine) : mine[2] + mine[3])) * 10;
  }

  /** machineCpuMs once it stops changing: sshd reaps a session a moment after its connection closed. */
  async function settledCpuMs(self: boolean): Promise<number> {
    let last = -1;
    return waitUntil(() => {
      const now = machineCpuMs(self);
      const settled = now === last;
      last = now;
      return settled ? now : undefined;
    }, { what: 'the hosts to reap their sessions', timeoutMs: 10_000, intervalMs: 100 });
  }
} finally {
  await ssh.stopAll();
  rmSync(base, { recursive: true, force: true });
}

interface Timed {
  ms: number;
  cpuMs: number;
}

/** utime, stime, cutime, cstime of a process, in clock ticks (100 per second on Linux). */
function procCpuTicks(pid: number): [number, number, number, number] {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return [Number(fields[11]), Number(fields[12]), Number(fields[13]), Number(fields[14])];
}

function load(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' / ');
}

function sum0(ticks: readonly number[]): number {
  return ticks.reduce((a, b) => a + b, 0);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(2);
}
function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}
function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

// ==== Ansible baseline (issue 7 item 4; bench/README.md "Ansible baseline") ====
// The same copy + unarchive + symlink by `ansible-playbook` (Debian's ansible 7 / ansible-core
// 2.14) to the same hosts: an inventory with the hosts' ports, the client key, and
// StrictHostKeyChecking=yes against the pinned known_hosts; forks = host count, no fact
// gathering, pipelining on (Ansible's documented speed-up), a fresh ControlPath dir per run so
// no ssh connection is reused between runs. The switch is `file state=link force=yes`, which
// Ansible makes by symlinking aside and renaming (atomic, like `ln -sfn && mv -T`). Runs after
// the main table; skipped, saying why, when ansible-playbook is missing or BENCH_ANSIBLE=0.
function ansibleBaseline(o: { base: string; cluster: SshTestHost[]; counts: number[]; packagePath: string; keyFile: string; knownHosts: string; rows: string[][] }): void {
  if (process.env.BENCH_ANSIBLE === '0') return void console.log('\nansible baseline: skipped (BENCH_ANSIBLE=0)');
  const version = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return void console.log('\nansible baseline: skipped — ansible-playbook is not installed (apt-get install -y --no-install-recommends ansible)');
  const dir = join(o.base, 'ansible');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\n'); // this file, not one found in the cwd or ~
  const playbook = join(dir, 'deploy.yml');
  writeFileSync(playbook, [
    '- hosts: bench',
    '  gather_facts: false',
    '  tasks:',
    '    - ansible.builtin.copy: { src: "{{ package }}", dest: /data/ansible.tar.gz, mode: "0644" }',
    '    - ansible.builtin.file: { path: "/data/codes/ansible/{{ release }}", state: directory }',
    '    - ansible.builtin.unarchive: { src: /data/ansible.tar.gz, dest: "/data/codes/ansible/{{ release }}", remote_src: true }',
    '    - ansible.builtin.file: { src: "/data/codes/ansible/{{ release }}", dest: /data/prod/ansible, state: link, force: true }',
    '    - ansible.builtin.file: { path: /data/ansible.tar.gz, state: absent }',
    '',
  ].join('\n'));
  const table: string[] = [];
  for (const count of o.counts) {
    const hosts = o.cluster.slice(0, count);
    const inventory = join(dir, `inventory-${count}.ini`);
    writeFileSync(inventory, [
      '[bench]',
      ...hosts.map((h) => `${h.name} ansible_host=${h.address} ansible_port=${h.port}`),
      '',
      '[bench:vars]',
      `ansible_user=${hosts[0]!.user}`,
      `ansible_ssh_private_key_file=${o.keyFile}`,
      'ansible_python_interpreter=/usr/bin/python3',
      `ansible_ssh_common_args='-F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${o.knownHosts}'`,
      '',
    ].join('\n'));
    for (const h of hosts) mkdirSync(join(h.root, 'prod'), { recursive: true });
    const env = {
      ...process.env,
      ANSIBLE_HOST_KEY_CHECKING: 'True',
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, `cp-${count}`),
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
    };
    const started = performance.now();
    const run = spawnSync('ansible-playbook', ['-i', inventory, '-f', String(count), '-e', `package=${o.packagePath} release=ansible-${count}`, playbook], { cwd: dir, env, encoding: 'utf8' });
    const ms = performance.now() - started;
    if (run.status !== 0) {
      console.log(`\nansible baseline: ansible-playbook failed (${run.status}) for ${count} hosts:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`);
      return;
    }
    for (const h of hosts) rmSync(join(h.root, 'codes/ansible'), { recursive: true, force: true });
    const row = o.rows.find((r) => r[0] === String(count));
    const botMs = Number(row?.[1]) * 1000;
    const xargsMs = Number(row?.[4]) * 1000;
    table.push([String(count), secs(ms), row?.[1] ?? '?', row?.[4] ?? '?', ratio(botMs, ms), ratio(xargsMs, ms)].join(' | '));
  }
  console.log(`\nansible baseline (${version.stdout.split('\n')[0]?.trim()}; forks = hosts, pipelining on, no facts; measured after the runs above, same hosts and package):`);
  console.log('hosts | ansible s | bot s | xargs -P s | bot/ansible | xargs/ansible');
  console.log('----- | --------- | ----- | ---------- | ----------- | -------------');
  for (const line of table) console.log(line);
}
// ==== end of the Ansible baseline ====
