// The transport for `{ local: dir }` hosts: remote paths map into the directory
// (`/data/prod/x` → `<dir>/data/prod/x`), symlinks are made relative so they resolve inside
// it, hooks run with `/bin/sh -c` in the mapped directory with a minimal environment. The
// hooks run on the bot's own machine, in a release that is repository code: they run in
// the project's sandbox, which sees the host's directory (at its own path) and nothing else
// of this machine but the system (docs/operations.md).
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, statfs, symlink, unlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeploybotError } from '../../core/errors.ts';
import { minimalEnvironment } from '../hook-variables.ts';
import { repositorySandbox } from '../repository-sandbox.ts';
import { runLocalProgram } from '../run-local-command.ts';
import type { CommandResult, ScriptResult } from '../command-result.ts';
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
    await pipeline(createReadStream(localFile), counter, createWriteStream(this.map(remotePath)));
  }

  async sha256(remotePath: string): Promise<string | undefined> {
    const hash = createHash('sha256');
    try {
      await pipeline(createReadStream(this.map(remotePath)), hash);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return hash.digest('hex');
  }

  async makeDirectory(remotePath: string): Promise<void> {
    await mkdir(this.map(remotePath), { recursive: true });
  }

  async unpack(archive: string, intoDir: string, expectedSha256?: string): Promise<void> {
    if (expectedSha256 !== undefined) {
      const actual = await this.sha256(archive);
      if (actual !== expectedSha256) throw new DeploybotError('checksum_mismatch', `${this.host}: the package's sha256 on the host is ${actual ?? 'missing'}, expected ${expectedSha256}`, { host: this.host });
    }
    await this.remove(intoDir);
    await this.makeDirectory(intoDir);
    const result = await runLocalProgram('tar', ['-xzf', this.map(archive), '--no-same-owner', '-C', this.map(intoDir)]);
    if (result.exitCode !== 0) throw new DeploybotError('unpack_failed', `${this.host}: tar could not unpack ${archive}: ${result.stderr.trim()}`);
  }

  async rename(from: string, to: string): Promise<void> {
    await rename(this.map(from), this.map(to));
  }

  async remove(remotePath: string): Promise<void> {
    await rm(this.map(remotePath), { recursive: true, force: true });
  }

  async readLink(remotePath: string): Promise<string | undefined> {
    try {
      const target = await readlink(this.map(remotePath));
      if (posix.isAbsolute(target) && (target === this.root || target.startsWith(`${this.root}/`))) return target.slice(this.root.length) || '/';
      return target;
    } catch (error) {
      if (['ENOENT', 'EINVAL', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw error;
    }
  }

  async readText(remotePath: string): Promise<string | undefined> {
    try {
      return await readFile(this.map(remotePath), 'utf8');
    } catch (error) {
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw error;
    }
  }

  async list(remotePath: string): Promise<string[]> {
    try {
      return (await readdir(this.map(remotePath))).sort();
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return [];
      throw error;
    }
  }

  async exists(remotePath: string): Promise<boolean> {
    try {
      await lstat(this.map(remotePath));
      return true;
    } catch {
      return false;
    }
  }

  async replaceSymlink(linkPath: string, targetDir: string): Promise<void> {
    const parent = posix.dirname(linkPath);
    const aside = posix.join(parent, `.${posix.basename(linkPath)}.deploybot-next`);
    await this.makeDirectory(parent);
    await unlink(this.map(aside)).catch(() => undefined);
    await symlink(posix.relative(parent, targetDir) || '.', this.map(aside));
    try {
      await rename(this.map(aside), this.map(linkPath));
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
    // a caller that names no project's sandbox gets the default one: sandboxed, network shared
    const sandbox = options.sandbox ?? repositorySandbox(`the hooks of ${this.host}`, { sandbox: 'on', network: true });
    await sandbox.ready();
    return sandbox.runScript(script, {
      dirs: [{ dir: this.root, as: this.root }],
      cwd: this.map(options.cwd),
      env: { ...minimalEnvironment(), ...(sandbox.isolated ? { HOME: '/tmp' } : {}), ...options.env },
      timeoutMs: options.timeoutMs,
      redactor: options.redactor,
    });
  }

  async run(argv: readonly string[], options: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('empty command');
    return runLocalProgram(file, args, { cwd: this.root, env: minimalEnvironment(), ...options });
  }

  destroy(): void {}

  async close(): Promise<void> {}
}
