// The bubblewrap command line (docs/operations.md, "Repository code is sandboxed"): what
// repository code can see is decided by these arguments alone.
import { describe, expect, it } from 'vitest';
import { SANDBOX_UID, sandboxArgv, type SandboxSpec } from '../../src/deploy/sandbox-argv.ts';

const spec = (overrides: Partial<SandboxSpec> = {}): SandboxSpec => ({
  mounts: [{ from: '/var/lib/deploybot/builds/p/abc.tmp/src', to: '/build', writable: true }],
  cwd: '/build',
  env: { PATH: '/usr/bin:/bin', HOME: '/tmp', DEPLOY_ID: 'd-1' },
  network: true,
  command: ['/bin/sh', '-c', 'npm ci'],
  ...overrides,
});

/** The value pairs of every occurrence of a flag taking `arity` values. */
function uses(args: string[], flag: string, arity: number): string[][] {
  return args.flatMap((a, i) => (a === flag ? [args.slice(i + 1, i + 1 + arity)] : []));
}

describe('sandboxArgv', () => {
  it('when built, then every namespace is new, the uid is unprivileged, the environment is only the given one, and the command comes last', () => {
    const args = sandboxArgv(spec());
    expect(args[0]).toBe('--unshare-all');
    expect(args).toEqual(expect.arrayContaining(['--die-with-parent', '--new-session', '--clearenv']));
    expect(uses(args, '--uid', 1)).toEqual([[String(SANDBOX_UID)]]);
    expect(uses(args, '--gid', 1)).toEqual([[String(SANDBOX_UID)]]);
    expect(uses(args, '--setenv', 2)).toEqual([['DEPLOY_ID', 'd-1'], ['HOME', '/tmp'], ['PATH', '/usr/bin:/bin']]);
    expect(args.indexOf('--clearenv')).toBeLessThan(args.indexOf('--setenv'));
    expect(args.slice(args.indexOf('--'))).toEqual(['--', '/bin/sh', '-c', 'npm ci']);
    expect(uses(args, '--chdir', 1)).toEqual([['/build']]);
  });

  it('when built, then the only writable binds are the given directories, and of the system only /usr and a few /etc files are there', () => {
    const args = sandboxArgv(spec());
    expect(uses(args, '--bind', 2)).toEqual([['/var/lib/deploybot/builds/p/abc.tmp/src', '/build']]);
    expect(uses(args, '--ro-bind', 2)).toEqual([['/usr', '/usr']]);
    const etc = uses(args, '--ro-bind-try', 2).map(([from, to]) => {
      expect(to).toBe(from);
      return from;
    });
    expect(etc.every((path) => path!.startsWith('/etc/'))).toBe(true);
    expect(etc).not.toEqual(expect.arrayContaining(['/etc/passwd', '/etc/shadow', '/etc/ssh']));
    // /proc of its own pid namespace, a private /tmp, a minimal /dev
    expect(uses(args, '--proc', 1)).toEqual([['/proc']]);
    expect(uses(args, '--tmpfs', 1)).toEqual([['/tmp']]);
    expect(uses(args, '--dev', 1)).toEqual([['/dev']]);
    // binds land after /tmp is made, so a directory under /tmp is not hidden by it
    expect(args.indexOf('--bind')).toBeGreaterThan(args.indexOf('--tmpfs'));
  });

  it('when the network is allowed, then it is shared along with the files that resolve names; when not, neither', () => {
    const online = sandboxArgv(spec({ network: true }));
    expect(online).toContain('--share-net');
    expect(uses(online, '--ro-bind-try', 2).map(([f]) => f)).toContain('/etc/resolv.conf');
    const offline = sandboxArgv(spec({ network: false }));
    expect(offline).not.toContain('--share-net');
    expect(uses(offline, '--ro-bind-try', 2).map(([f]) => f)).not.toContain('/etc/resolv.conf');
  });

  it('when several directories are given, then shallower ones are bound first so none hides another', () => {
    const args = sandboxArgv(spec({ mounts: [{ from: '/x/out', to: '/build/out', writable: true }, { from: '/x/tree', to: '/build', writable: false }] }));
    expect([...uses(args, '--bind', 2), ...uses(args, '--ro-bind', 2)]).toEqual([['/x/out', '/build/out'], ['/usr', '/usr'], ['/x/tree', '/build']]);
    expect(args.indexOf('/x/tree')).toBeLessThan(args.indexOf('/x/out'));
  });

  it('when a mount would replace a directory the sandbox provides, or a path or name is malformed, then it throws', () => {
    for (const to of ['/', '/usr', '/proc', '/etc', '/etc/ssl', '/tmp', '/dev/shm', '/usr/local']) {
      expect(() => sandboxArgv(spec({ mounts: [{ from: '/x', to, writable: true }] }))).toThrow(/may not replace/);
    }
    expect(() => sandboxArgv(spec({ mounts: [{ from: 'relative', to: '/build', writable: true }] }))).toThrow(/absolute/);
    expect(() => sandboxArgv(spec({ mounts: [{ from: '/x/../etc', to: '/build', writable: true }] }))).toThrow(/absolute and normal/);
    expect(() => sandboxArgv(spec({ env: { 'A=B': 'x' } }))).toThrow(/bad environment variable/);
    expect(() => sandboxArgv(spec({ command: [] }))).toThrow(/empty command/);
  });
});
