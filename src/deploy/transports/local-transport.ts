// The transport for `{ local: dir }` hosts: remote paths map into the directory
// (`/data/prod/x` → `<dir>/data/prod/x`), symlinks are made relative so they resolve inside
// it, hooks run with `/bin/sh -c` in the mapped directory with a minimal environment. The
// hooks run on the bot's own machine, in a release that is repository code: they run in
// the project's sandbox, which sees the host's directory (at its own path) and nothing else
// of this machine but the system (docs/operations.md). So whatever they leave in that
// directory is untrusted: every path the bot reads, writes or deletes there is checked to
// stay inside it, whatever symlinks are on the way (`within`).
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, realpath, rename, rm, stat, statfs, symlink, unlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeploybotError } from '../../core/errors.ts';
import { minimalEnvironment } from '../../services/minimal-environment.ts';
import type { Redactor } from '../../core/redactor.ts';
import { type RepositorySandbox, repositorySandbox } from '../repository-sandbox.ts';
import { runLocalProgram } from '../run-local-command.ts';
import type { CommandResult, ScriptResult } from '../command-result.ts';
import { ALREADY_STARTED, type DetachedStepState, parseWatch, startStepArgv, watchStepArgv } from './detached-step-script.ts';
import type { HostTransport, ScriptOptions } from './host-transport.ts';

export class LocalTransport implements HostTransport {
  readonly kind = 'local';

  constructor(
    readonly host: string,
    /** Absolute directory standing in for the host's `/`. */
    readonly root: string,
  ) {}

  /** The local path of a remote path. */
  map(remotePath: string): string {
    if (!remotePath.startsWith('/')) throw new DeploybotError('bad_path', `${this.host}: not an absolute path: ${remotePath}`);
    return join(this.root, posix.normalize(remotePath));
  }

  /**
   * The local path of `remotePath`, once it is known that a symlink on the way (one the
   * host's hooks may have planted) does not lead out of the host's directory: its deepest
   * existing part must resolve inside it. `last: false` for operations on the entry itself
   * (remove, rename, readLink, exists), which never follow it: then only its parent counts.
   */
  async within(remotePath: string, { last = true }: { last?: boolean } = {}): Promise<string> {
    const local = this.map(remotePath);
    await mkdir(this.root, { recursive: true });
    const root = await realpath(this.root);
    let probe = last ? local : dirname(local);
    for (;;) {
      const real = await realpath(probe).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
        throw error;
      });
      if (real !== undefined) {
        if (real !== root && !real.startsWith(`${root}/`)) {
          throw new DeploybotError('host_path_escapes', `${this.host}: ${remotePath} leads out of the host's directory through a symlink (to ${real}); nothing was done there`, { host: this.host });
        }
        return local;
      }
      probe = dirname(probe);
    }
  }

  async upload(localFile: string, remotePath: string, onBytes?: (sent: number, total: number) => void): Promise<void> {
    const total = (await stat(localFile)).size;
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sent += chunk.length;
        onBytes?.(sent, total);
        done(null, chunk);
      },
    });
    await pipeline(createReadStream(localFile), counter, createWriteStream(await this.within(remotePath)));
  }

  /** Local hosts: the file is copied beside `intoDir`, verified and unpacked (`unpack`), then removed. */
  async receivePackage(localFile: string, intoDir: string, expectedSha256: string, onBytes?: (sent: number, total: number) => void): Promise<void> {
    const archive = `${intoDir}.tar.gz`;
    const removeAll = async (path: string) => rm(await this.within(path, { last: false }), { recursive: true, force: true });
    try {
      await this.makeDirectory(posix.dirname(intoDir));
      await this.upload(localFile, archive, onBytes);
      await this.unpack(archive, intoDir, expectedSha256);
    } catch (error) {
      await removeAll(intoDir);
      throw error;
    } finally {
      await removeAll(archive);
    }
  }

  async sha256(remotePath: string): Promise<string | undefined> {
    const hash = createHash('sha256');
    try {
      await pipeline(createReadStream(await this.within(remotePath)), hash);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return hash.digest('hex');
  }

  async makeDirectory(remotePath: string): Promise<void> {
    await mkdir(await this.within(remotePath), { recursive: true });
  }

  async unpack(archive: string, intoDir: string, expectedSha256?: string): Promise<void> {
    if (expectedSha256 !== undefined) {
      const actual = await this.sha256(archive);
      if (actual !== expectedSha256) throw new DeploybotError('checksum_mismatch', `${this.host}: the package's sha256 on the host is ${actual ?? 'missing'}, expected ${expectedSha256}`, { host: this.host });
    }
    await this.remove(intoDir);
    await this.makeDirectory(intoDir);
    const result = await runLocalProgram('tar', ['-xzf', await this.within(archive), '--no-same-owner', '-C', await this.within(intoDir)]);
    if (result.exitCode !== 0) throw new DeploybotError('unpack_failed', `${this.host}: tar could not unpack ${archive}: ${result.stderr.trim()}`);
  }

  async rename(from: string, to: string): Promise<void> {
    await rename(await this.within(from, { last: false }), await this.within(to, { last: false }));
  }

  async remove(remotePath: string): Promise<void> {
    await rm(await this.within(remotePath, { last: false }), { recursive: true, force: true });
    // the hook state of a removed release goes with it
    await rm(this.#stepState(remotePath), { recursive: true, force: true });
  }

  async readLink(remotePath: string): Promise<string | undefined> {
    try {
      const target = await readlink(await this.within(remotePath, { last: false }));
      if (posix.isAbsolute(target) && (target === this.root || target.startsWith(`${this.root}/`))) return target.slice(this.root.length) || '/';
      return target;
    } catch (error) {
      if (['ENOENT', 'EINVAL', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw error;
    }
  }

  async readText(remotePath: string): Promise<string | undefined> {
    try {
      return await readFile(await this.within(remotePath), 'utf8');
    } catch (error) {
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw error;
    }
  }

  async list(remotePath: string): Promise<string[]> {
    try {
      return (await readdir(await this.within(remotePath))).sort();
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return [];
      throw error;
    }
  }

  async exists(remotePath: string): Promise<boolean> {
    try {
      await lstat(await this.within(remotePath, { last: false }));
      return true;
    } catch {
      return false;
    }
  }

  async replaceSymlink(linkPath: string, targetDir: string): Promise<void> {
    const parent = posix.dirname(linkPath);
    const aside = posix.join(parent, `.${posix.basename(linkPath)}.deploybot-next`);
    await this.makeDirectory(parent);
    await unlink(await this.within(aside, { last: false })).catch(() => undefined);
    await symlink(posix.relative(parent, targetDir) || '.', await this.within(aside, { last: false }));
    try {
      await rename(await this.within(aside, { last: false }), await this.within(linkPath, { last: false }));
    } catch (error) {
      await unlink(this.map(aside)).catch(() => undefined);
      throw new DeploybotError('switch_failed', `${this.host}: cannot replace ${linkPath} with a symlink (${(error as NodeJS.ErrnoException).code ?? String(error)}); is it a real directory?`);
    }
  }

  async freeBytes(remotePath: string): Promise<number | undefined> {
    let path = remotePath;
    for (;;) {
      try {
        const fs = await statfs(this.map(path));
        return fs.bavail * fs.bsize;
      } catch {
        if (path === '/') return undefined;
        path = posix.dirname(path);
      }
    }
  }

  async runScript(script: string, options: ScriptOptions): Promise<ScriptResult> {
    const sandbox = this.#sandbox(options);
    await sandbox.ready();
    return sandbox.runScript(script, {
      dirs: [{ dir: this.root, as: this.root }],
      cwd: this.map(options.cwd),
      env: this.#env(sandbox, options),
      timeoutMs: options.timeoutMs,
      redactor: options.redactor,
    });
  }

  /**
   * Where a hook's state files (pid, out, exit) live for this host: beside the host's
   * directory, not in it. The wrapper runs as the bot, outside the sandbox; a hook inside the
   * sandbox can write anywhere in the host's directory, and could otherwise plant an `out`
   * symlink to any file of this machine for the wrapper to read back into chat.
   */
  #stepState(stateDir: string): string {
    if (!stateDir.startsWith('/')) throw new DeploybotError('bad_path', `${this.host}: not an absolute path: ${stateDir}`);
    return join(`${this.root}.steps`, posix.normalize(stateDir));
  }

  /** The wrapper runs on this machine, outside the sandbox, around bwrap; its state files are beside the host's directory (docs/operations.md). */
  async startStep(stateDir: string, script: string, options: ScriptOptions): Promise<'started' | 'already-started'> {
    const sandbox = this.#sandbox(options);
    await sandbox.ready();
    const command = sandbox.command(['/bin/sh', '-c', script], { dirs: [{ dir: this.root, as: this.root }], cwd: this.map(options.cwd), env: this.#env(sandbox, options) });
    const state = this.#stepState(stateDir);
    const [shell, ...args] = startStepArgv(state, command.cwd, options.timeoutMs, command.argv);
    const result = await runLocalProgram(shell!, args, { env: command.env, detached: true, timeoutMs: 30_000 });
    if (result.exitCode === ALREADY_STARTED) return 'already-started';
    if (result.exitCode !== 0) throw new DeploybotError('exec_failed', `${this.host}: cannot start a hook in ${stateDir} (exit ${result.exitCode ?? 'none'}): ${result.stderr.trim()}`, { host: this.host });
    return 'started';
  }

  async watchStep(stateDir: string, waitMs: number, redactor: Redactor): Promise<DetachedStepState> {
    const [shell, ...args] = watchStepArgv(this.#stepState(stateDir), waitMs);
    const result = await runLocalProgram(shell!, args, { env: minimalEnvironment(), timeoutMs: waitMs + 30_000 });
    const state = result.exitCode === 0 ? parseWatch(result.stdout, redactor) : undefined;
    if (!state) throw new DeploybotError('exec_failed', `${this.host}: cannot read the state of the hook in ${stateDir} (exit ${result.exitCode ?? 'none'}): ${result.stderr.trim()}`, { host: this.host });
    return state;
  }

  #sandbox(options: ScriptOptions): RepositorySandbox {
    // a caller that names no project's sandbox gets the default one: sandboxed, network shared
    return options.sandbox ?? repositorySandbox(`the hooks of ${this.host}`, { sandbox: 'on', network: true });
  }

  #env(sandbox: RepositorySandbox, options: ScriptOptions): Record<string, string> {
    return { ...minimalEnvironment(), ...(sandbox.isolated ? { HOME: '/tmp' } : {}), ...options.env };
  }

  async run(argv: readonly string[], options: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('empty command');
    return runLocalProgram(file, args, { cwd: this.root, env: minimalEnvironment(), ...options });
  }

  /** Nothing to open for a directory on this machine. */
  async prepare(): Promise<void> {}

  destroy(): void {}

  async close(): Promise<void> {}
}
