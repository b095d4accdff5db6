// The bubblewrap command line for repository code (docs/operations.md, "Repository code is
// sandboxed"). Pure: what the code may see is decided here and nowhere else. Inside: /usr
// read-only (with the merged-/usr links), a few files of /etc that name no secret, a fresh
// /proc of its own pid namespace, a minimal /dev, a private /tmp, and only the directories
// it is given; no environment but the one passed; an unprivileged uid; no network unless
// asked for.
import { posix } from 'node:path';

/** The uid and gid repository code runs as (nobody / nogroup). */
export const SANDBOX_UID = 65534;

export interface SandboxMount {
  /** Real path on this machine. */
  from: string;
  /** Where the code sees it (absolute). */
  to: string;
  writable: boolean;
}

export interface SandboxSpec {
  mounts: readonly SandboxMount[];
  /** Working directory, as the code sees it. */
  cwd: string;
  /** The code's whole environment. */
  env: Readonly<Record<string, string>>;
  /** Shares this machine's network (for `npm ci`); false: a network namespace of its own, loopback only. */
  network: boolean;
  /** Program and arguments, run inside. */
  command: readonly string[];
}

/** Files of /etc the code needs to run programs and, with the network, to resolve names and check TLS. */
const SYSTEM_FILES = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/localtime'];
const NETWORK_FILES = ['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/ssl', '/etc/ca-certificates'];
/** Places the sandbox itself provides; a mount may not replace them. */
const RESERVED = ['/', '/usr', '/proc', '/dev', '/tmp', '/etc', '/bin', '/lib', '/lib64', '/sbin'];

/** bwrap's arguments (without the program) for `spec`. Throws on a mount that would hide the sandbox's own directories. */
export function sandboxArgv(spec: SandboxSpec): string[] {
  if (spec.command.length === 0) throw new Error('sandbox: empty command');
  for (const mount of spec.mounts) {
    for (const path of [mount.from, mount.to]) {
      if (!posix.isAbsolute(path) || posix.normalize(path) !== path) throw new Error(`sandbox: mount path must be absolute and normal: ${path}`);
    }
    const to = mount.to;
    if (RESERVED.includes(to) || ['/proc/', '/dev/', '/usr/', '/etc/'].some((prefix) => to.startsWith(prefix))) {
      throw new Error(`sandbox: a mount may not replace ${to}`);
    }
  }
  if (!posix.isAbsolute(spec.cwd)) throw new Error(`sandbox: cwd must be absolute: ${spec.cwd}`);
  const args = ['--unshare-all'];
  if (spec.network) args.push('--share-net');
  args.push(
    '--die-with-parent',
    '--new-session',
    '--uid', String(SANDBOX_UID),
    '--gid', String(SANDBOX_UID),
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/bin', '/bin',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    '--symlink', 'usr/sbin', '/sbin',
  );
  for (const file of [...SYSTEM_FILES, ...(spec.network ? NETWORK_FILES : [])]) args.push('--ro-bind-try', file, file);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  // shallower mounts first, so a deeper one lands inside rather than being hidden
  const mounts = [...spec.mounts].sort((a, b) => a.to.split('/').length - b.to.split('/').length);
  for (const mount of mounts) args.push(mount.writable ? '--bind' : '--ro-bind', mount.from, mount.to);
  args.push('--chdir', spec.cwd, '--clearenv');
  for (const [name, value] of Object.entries(spec.env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`sandbox: bad environment variable name ${JSON.stringify(name)}`);
    args.push('--setenv', name, value);
  }
  args.push('--', ...spec.command);
  return args;
}
