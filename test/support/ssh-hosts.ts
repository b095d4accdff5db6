import { execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { askTcp } from '../../src/services/ask-tcp.ts';
import { findFreePort } from '../../src/services/find-free-port.ts';
import { isProcessAlive } from '../../src/services/process-alive.ts';
import { listDescendants, listDescendantsWithParents, signalTree } from '../../src/services/process-tree.ts';
import { readLogTail } from '../../src/services/read-log-tail.ts';
import { requireBinary } from '../../src/services/require-binary.ts';
import { childExited, disownProcess, spawnOwnedProcess } from '../../src/services/spawn-owned-process.ts';
import { sendSignal } from '../../src/services/stop-process.ts';
import { waitUntil } from '../../src/services/wait-until.ts';

/**
 * Fake SSH hosts for tests: one real sshd per host on 127.0.0.1, each in its own mount
 * namespace where its `root` directory is mounted at `/data`. Keys are generated per call.
 */
export interface SshTestHost {
  name: string;
  address: string;
  port: number;
  user: string;
  /** The client private key (OpenSSH format), shared by all hosts of one startSshHosts call. */
  privateKey: string;
  /** The host's public key line to pin: 'ssh-ed25519 AAAA…'. */
  hostKey: string;
  /** Directory on this machine that the host sees as /data. */
  root: string;
  /** Kill sshd and its sessions: the host becomes unreachable (connection refused). */
  stop(): Promise<void>;
  /** Start it again on the same port with the same host key. */
  start(): Promise<void>;
  /** SIGSTOP sshd and every process under it: new and existing connections hang. */
  pause(): void;
  /** SIGCONT what pause() stopped. */
  resume(): void;
  /** sshd's process id while it runs (benchmarks read its CPU time, and its sessions', in /proc). */
  pid(): number | undefined;
}

export interface SshTestHosts {
  hosts: SshTestHost[];
  privateKey: string;
  /** The client public key line ('ssh-ed25519 AAAA… comment'). */
  publicKey: string;
  stopAll(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const ATTEMPTS_ON_PORT_CLASH = 3;

export async function startSshHosts(count: number, opts: { prefix?: string } = {}): Promise<SshTestHosts> {
  const tools = findTools();
  prepareMachine();
  const base = mkdtempSync(join(tmpdir(), 'deploybot-ssh-'));
  const hosts: SshTestHost[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(hosts.map((host) => host.stop()));
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const client = generateKey(tools.sshKeygen, join(base, 'client_ed25519'), 'deploybot-test-client');
    const authorizedKeys = join(base, 'authorized_keys');
    writeFileSync(authorizedKeys, `${client.publicKey}\n`);
    for (let index = 1; index <= count; index += 1) {
      const name = `${opts.prefix ?? 'h'}${index}`;
      hosts.push(await startHost({ name, dir: join(base, name), authorizedKeys, privateKey: client.privateKey, tools }));
    }
    return { hosts, privateKey: client.privateKey, publicKey: client.publicKey, stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface Tools {
  sshd: string;
  sshKeygen: string;
  unshare: string;
}

function findTools(): Tools {
  if (process.getuid?.() !== 0) {
    throw new Error('startSshHosts needs root (it bind-mounts each host\'s /data in a private mount namespace)');
  }
  return {
    sshd: requireBinary('sshd', 'openssh-server'),
    sshKeygen: requireBinary('ssh-keygen', 'openssh-client'),
    unshare: requireBinary('unshare', 'util-linux'),
  };
}

/** sshd exits 255 without its privilege-separation dir; /data is the mount point every host binds over. */
function prepareMachine(): void {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  chmodSync('/run/sshd', 0o755);
  mkdirSync('/data', { recursive: true, mode: 0o755 });
}

/** Generates an ed25519 key pair and returns it; the private key file is removed (kept in memory only). */
function generateKey(sshKeygen: string, file: string, comment: string): { privateKey: string; publicKey: string } {
  execFileSync(sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { stdio: 'pipe' });
  const privateKey = readFileSync(file, 'utf8');
  const publicKey = readFileSync(`${file}.pub`, 'utf8').trim();
  unlinkSync(file);
  return { privateKey, publicKey };
}

interface HostSetup {
  name: string;
  dir: string;
  authorizedKeys: string;
  privateKey: string;
  tools: Tools;
}

async function startHost(setup: HostSetup): Promise<SshTestHost> {
  const { dir, tools } = setup;
  const root = join(dir, 'data');
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const hostKeyFile = join(dir, 'ssh_host_ed25519_key');
  execFileSync(tools.sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', `deploybot-test-${setup.name}`, '-f', hostKeyFile], { stdio: 'pipe' });
  const hostKey = readFileSync(`${hostKeyFile}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const configFile = join(dir, 'sshd_config');
  const logFile = join(dir, 'sshd.log');

  let port = 0;
  let child: ChildProcess | undefined;

  const writeConfig = (): void => {
    const settings = { port, hostKeyFile, pidFile: join(dir, 'sshd.pid'), authorizedKeys: setup.authorizedKeys };
    writeFileSync(configFile, sshdConfig(settings, true));
    if (!configIsValid(tools.sshd, configFile)) {
      // older OpenSSH (< 9.8) does not know PerSourcePenalties
      writeFileSync(configFile, sshdConfig(settings, false));
      execFileSync(tools.sshd, ['-t', '-f', configFile], { stdio: 'pipe' });
    }
  };

  const launch = async (): Promise<void> => {
    const logOffset = existsSync(logFile) ? statSync(logFile).size : 0;
    const started = spawnOwnedProcess(
      tools.unshare,
      ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind "$0" /data && ${HIDE_LOGIN_SHELL_RC} && exec "$1" -D -f "$2" -E "$3"`, root, tools.sshd, configFile, logFile],
      { logFile: join(dir, 'sshd.stdout.log'), detached: true, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', HOME: userInfo().homedir } },
    );
    const pid = started.pid;
    try {
      if (pid === undefined) throw new Error(`could not spawn ${tools.unshare}`);
      await waitUntil(
        async () => {
          if (started.exitCode !== null || started.signalCode !== null) {
            throw new Error(`sshd for ${setup.name} exited (${started.exitCode ?? started.signalCode}) during start`);
          }
          if (!newLogText(logFile, logOffset).includes(`Server listening on 127.0.0.1 port ${port}`)) return false;
          if (commandOf(pid) !== 'sshd') return false;
          const banner = await askTcp({ port, until: (text) => text.includes('\n'), timeoutMs: 1000 });
          return banner?.startsWith('SSH-2.0-') === true;
        },
        { what: `sshd for ${setup.name} on 127.0.0.1:${port} to send its banner`, timeoutMs: START_TIMEOUT_MS },
      );
      child = started;
    } catch (error) {
      if (pid !== undefined) await killTree(pid, started);
      throw new Error(`${(error as Error).message}\n--- ${logFile} (last lines) ---\n${readLogTail(logFile)}\n${readLogTail(join(dir, 'sshd.stdout.log'), 5)}`);
    }
  };

  for (let attempt = 1; ; attempt += 1) {
    port = await findFreePort();
    writeConfig();
    try {
      await launch();
      break;
    } catch (error) {
      const clash = /address already in use|cannot bind any address/i.test(readLogTail(logFile, 10));
      if (attempt < ATTEMPTS_ON_PORT_CLASH && clash) continue;
      throw error;
    }
  }

  const runningPid = (): number | undefined => {
    const pid = child?.pid;
    return pid !== undefined && isProcessAlive(pid) ? pid : undefined;
  };

  return {
    name: setup.name,
    address: '127.0.0.1',
    port,
    user: 'root',
    privateKey: setup.privateKey,
    hostKey,
    root,
    async stop() {
      const running = child;
      child = undefined;
      if (running?.pid !== undefined) await killTree(running.pid, running);
    },
    async start() {
      if (runningPid() !== undefined) return;
      await launch();
    },
    pid: runningPid,
    pause() {
      const pid = requireSshd(runningPid(), setup.name);
      sendSignal(-pid, 'SIGSTOP');
      // connection children call setsid(), so they are outside the group: stop the whole tree,
      // twice, to catch a process forked while the first pass ran
      signalTree(pid, 'SIGSTOP');
      signalTree(pid, 'SIGSTOP');
    },
    resume() {
      const pid = child?.pid;
      if (pid === undefined) return;
      sendSignal(-pid, 'SIGCONT');
      signalTree(pid, 'SIGCONT');
    },
  };
}

/**
 * Inside the host's mount namespace, root's shell start-up files are hidden (an empty file
 * bound over each): sshd runs every command through the login shell, and bash reads
 * ~/.bashrc for it. This machine's own dotfiles are not the test host's — one seen here ran
 * `pyenv rehash`, which waits on a lock file that a killed session leaves behind, and then
 * every command on every test host hangs.
 */
const HIDE_LOGIN_SHELL_RC = ['.bashrc', '.profile', '.bash_profile', '.bash_login', '.bash_logout']
  .map((name) => `{ [ ! -f "$HOME/${name}" ] || mount --bind /dev/null "$HOME/${name}"; }`)
  .join(' && ');

function sshdConfig(
  settings: { port: number; hostKeyFile: string; pidFile: string; authorizedKeys: string },
  perSourcePenaltiesOff: boolean,
): string {
  return [
    `ListenAddress 127.0.0.1`,
    `Port ${settings.port}`,
    `HostKey ${settings.hostKeyFile}`,
    `PidFile ${settings.pidFile}`,
    `AuthorizedKeysFile ${settings.authorizedKeys}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'Subsystem sftp internal-sftp',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    // tests open many connections at once (parallel deploys); the default 10:30:100 drops some
    'MaxStartups 200',
    'MaxSessions 100',
    'LogLevel INFO',
    ...(perSourcePenaltiesOff ? ['PerSourcePenalties no'] : []),
    '',
  ].join('\n');
}

function configIsValid(sshd: string, configFile: string): boolean {
  try {
    execFileSync(sshd, ['-t', '-f', configFile], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function newLogText(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Never SIGSTOP a wrapper: the PID must be sshd itself (unshare and sh exec into it). */
function requireSshd(pid: number | undefined, name: string): number {
  if (pid === undefined) throw new Error(`ssh host ${name} is not running`);
  const command = commandOf(pid);
  if (command !== 'sshd') throw new Error(`ssh host ${name}: PID ${pid} is ${command ?? 'gone'}, not sshd`);
  return pid;
}

/**
 * SIGKILL sshd and everything under it (sessions, commands); resolves when all are gone.
 * Leaves go first, while their parents still run and reap them: a session killed together
 * with its parent would be handed to PID 1, and where PID 1 does not reap it stays a zombie.
 */
async function killTree(pid: number, child: ChildProcess): Promise<void> {
  signalTree(pid, 'SIGCONT');
  const everyone = new Set([pid, ...listDescendants(pid)]);
  try {
    await waitUntil(
      () => {
        const tree = listDescendantsWithParents(pid);
        if (tree.length === 0) return true;
        const parents = new Set(tree.map((each) => each.ppid));
        for (const each of tree) {
          everyone.add(each.pid);
          if (!parents.has(each.pid)) sendSignal(each.pid, 'SIGKILL');
        }
        return false;
      },
      { what: `the sessions of sshd ${pid} to exit`, timeoutMs: 3000, intervalMs: 20 },
    );
  } catch {
    // fall through: kill whatever is left at once
  }
  signalTree(pid, 'SIGKILL');
  disownProcess(pid);
  await childExited(child);
  await waitUntil(() => [...everyone].every((each) => !isProcessAlive(each)), {
    what: `sshd ${pid} and its sessions to exit`,
    timeoutMs: 5000,
    intervalMs: 20,
  });
}

/** The config `hosts:` entries of test hosts: each pinned by its own host key. */
export function sshHostEntries(hosts: readonly SshTestHost[]): Record<string, { address: string; port: number; user: string; hostKey: string }> {
  return Object.fromEntries(hosts.map((h) => [h.name, { address: h.address, port: h.port, user: h.user, hostKey: h.hostKey }]));
}
