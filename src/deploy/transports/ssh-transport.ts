// The SSH transport: the host operations the engine needs, over one SshConnection per host
// (ssh-connection.ts: key from memory, pinned host key). Every remote command is a fixed
// script whose values are positional parameters, joined with shell quoting — nothing is
// spliced into a script. Hooks run detached on the host (detached-step-script.ts).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import type { Redactor } from '../../core/redactor.ts';
import { DeploybotError, type ErrorCode, errorMessage } from '../../core/errors.ts';
import type { CommandResult, ScriptResult } from '../command-result.ts';
import { OutputTail } from '../output-tail.ts';
import { shellCommand, shScript } from '../quote-shell-arg.ts';
import { ALREADY_STARTED, type DetachedStepState, parseWatch, startStepArgv, watchStepArgv } from './detached-step-script.ts';
import type { HostTransport, ScriptOptions } from './host-transport.ts';
import { RECEIVED_CHECKSUM_MISMATCH, RECEIVED_UNPACK_FAILED, receivePackageArgv } from './receive-package-script.ts';
import { SshConnection, type SshEndpoint } from './ssh-connection.ts';

export type { SshEndpoint } from './ssh-connection.ts';

const MISSING = 3;
const CHECKSUM_MISMATCH = 5;
/** SFTP status code for "no such file". */
const SFTP_NO_SUCH_FILE = 2;

export class SshTransport implements HostTransport {
  readonly kind = 'ssh';
  readonly host: string;
  readonly #connection: SshConnection;

  constructor(endpoint: SshEndpoint) {
    this.host = endpoint.host;
    this.#connection = new SshConnection(endpoint);
  }

  #exec(command: string, timeoutMs?: number, onData?: (chunk: Buffer) => void): Promise<CommandResult & { timedOut: boolean }> {
    return this.#connection.exec(command, timeoutMs, onData);
  }

  #sftpSession(): Promise<SFTPWrapper> {
    return this.#connection.sftpSession();
  }

  async #must(argv: readonly string[], what: string, code: ErrorCode = 'remote_command_failed'): Promise<CommandResult> {
    const result = await this.#exec(shellCommand(argv));
    if (result.exitCode !== 0) {
      throw new DeploybotError(code, `${this.host}: ${what} failed (exit ${result.exitCode ?? 'none'}): ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`, { host: this.host });
    }
    return result;
  }

  async upload(localFile: string, remotePath: string, onBytes?: (sent: number, total: number) => void): Promise<void> {
    const sftp = await this.#sftpSession();
    const total = (await stat(localFile)).size;
    await new Promise<void>((resolve, reject) => {
      sftp.fastPut(localFile, remotePath, { concurrency: 64, chunkSize: 32 * 1024, step: (sent) => onBytes?.(sent, total) }, (error) => {
        if (error) reject(new DeploybotError('upload_failed', `${this.host}: upload to ${remotePath} failed: ${errorMessage(error)}`, { host: this.host }));
        else resolve();
      });
    });
  }

  /** One exec: the package streams to its stdin, hashed and unpacked as it arrives (receive-package-script.ts). */
  async receivePackage(localFile: string, intoDir: string, expectedSha256: string, onBytes?: (sent: number, total: number) => void): Promise<void> {
    const total = (await stat(localFile)).size;
    let sent = 0;
    const source = createReadStream(localFile, { highWaterMark: 256 * 1024 });
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sent += chunk.length;
        onBytes?.(sent, total);
        done(null, chunk);
      },
    });
    // pipe() passes neither errors nor an early end along: both are forwarded here
    source.once('error', (error) => counted.destroy(error));
    counted.once('close', () => source.destroy());
    source.pipe(counted);
    const result = await this.#connection.execWithInput(shellCommand(receivePackageArgv(intoDir, expectedSha256)), counted);
    if (result.exitCode === RECEIVED_CHECKSUM_MISMATCH) {
      throw new DeploybotError('checksum_mismatch', `${this.host}: the package's sha256 on the host is ${result.stdout.trim() || 'unknown'}, expected ${expectedSha256}; nothing was kept`, { host: this.host });
    }
    if (result.exitCode === RECEIVED_UNPACK_FAILED) {
      throw new DeploybotError('unpack_failed', `${this.host}: unpacking the package into ${intoDir} failed: ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`, { host: this.host });
    }
    if (result.exitCode !== 0 || sent !== total) {
      throw new DeploybotError('upload_failed', `${this.host}: receiving the package into ${intoDir} failed (exit ${result.exitCode ?? 'none'}, ${sent} of ${total} bytes sent): ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`, { host: this.host });
    }
  }

  async sha256(remotePath: string): Promise<string | undefined> {
    if (!(await this.exists(remotePath))) return undefined;
    const result = await this.#exec(shellCommand(shScript(`[ -f "$1" ] || exit ${MISSING}; sha256sum -- "$1"`, remotePath)));
    if (result.exitCode === MISSING) return undefined;
    const hash = /^([0-9a-f]{64})\b/.exec(result.stdout)?.[1];
    if (result.exitCode !== 0 || !hash) throw new DeploybotError('checksum_failed', `${this.host}: sha256sum ${remotePath} failed: ${result.stderr.trim()}`, { host: this.host });
    return hash;
  }

  /** mkdir -p over SFTP: no remote process. */
  async makeDirectory(remotePath: string): Promise<void> {
    const sftp = await this.#sftpSession();
    const missing: string[] = [];
    let path = posix.normalize(remotePath);
    while (path !== '/' && !(await this.#stat(sftp, path))) {
      missing.unshift(path);
      path = posix.dirname(path);
    }
    for (const dir of missing) {
      await new Promise<void>((resolve, reject) => {
        sftp.mkdir(dir, (error) => {
          if (!error) return resolve();
          // made meanwhile by someone else: fine
          void this.#stat(sftp, dir).then((st) => (st?.isDirectory() ? resolve() : reject(new DeploybotError('remote_command_failed', `${this.host}: mkdir ${dir}: ${error.message}`))));
        });
      });
    }
  }

  #stat(sftp: SFTPWrapper, path: string): Promise<Stats | undefined> {
    return new Promise((resolve, reject) => {
      sftp.lstat(path, (error, stats) => {
        if (!error) resolve(stats);
        else if (isSftpStatus(error, SFTP_NO_SUCH_FILE)) resolve(undefined);
        else reject(new DeploybotError('remote_command_failed', `${this.host}: cannot stat ${path}: ${error.message}`));
      });
    });
  }

  async unpack(archive: string, intoDir: string, expectedSha256?: string): Promise<void> {
    const script = [
      'set -e',
      `if [ -n "$3" ]; then actual=$(sha256sum < "$1"); actual=\${actual%% *}; [ "$actual" = "$3" ] || { echo "$actual"; exit ${CHECKSUM_MISMATCH}; }; fi`,
      'rm -rf -- "$2"',
      'mkdir -p -- "$2"',
      'tar -xzf "$1" --no-same-owner -C "$2"',
    ].join('\n');
    const result = await this.#exec(shellCommand(shScript(script, archive, intoDir, expectedSha256 ?? '')));
    if (result.exitCode === CHECKSUM_MISMATCH) {
      throw new DeploybotError('checksum_mismatch', `${this.host}: the package's sha256 on the host is ${result.stdout.trim() || 'unknown'}, expected ${expectedSha256}`, { host: this.host });
    }
    if (result.exitCode !== 0) {
      throw new DeploybotError('unpack_failed', `${this.host}: unpacking ${archive} failed (exit ${result.exitCode ?? 'none'}): ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`, { host: this.host });
    }
  }

  /** SFTP rename: fails rather than replace an existing target. */
  async rename(from: string, to: string): Promise<void> {
    const sftp = await this.#sftpSession();
    await new Promise<void>((resolve, reject) => {
      sftp.rename(from, to, (error) => (error ? reject(new DeploybotError('remote_command_failed', `${this.host}: rename ${from} → ${to}: ${error.message}`)) : resolve()));
    });
  }

  /** rm -rf: files and symlinks over SFTP, directories with one `rm -rf`. */
  async remove(remotePath: string): Promise<void> {
    const sftp = await this.#sftpSession();
    const stats = await this.#stat(sftp, remotePath);
    if (!stats) return;
    if (!stats.isDirectory()) {
      await new Promise<void>((resolve, reject) => {
        sftp.unlink(remotePath, (error) => (error && !isSftpStatus(error, SFTP_NO_SUCH_FILE) ? reject(new DeploybotError('remote_command_failed', `${this.host}: rm ${remotePath}: ${error.message}`)) : resolve()));
      });
      return;
    }
    await this.#must(['rm', '-rf', '--', remotePath], `rm -rf ${remotePath}`);
  }

  async readLink(remotePath: string): Promise<string | undefined> {
    const sftp = await this.#sftpSession();
    return new Promise((resolve, reject) => {
      sftp.readlink(remotePath, (error, target) => {
        if (!error) resolve(target);
        else if (isSftpStatus(error, SFTP_NO_SUCH_FILE) || isSftpStatus(error, 4)) resolve(undefined);
        else reject(new DeploybotError('remote_command_failed', `${this.host}: readlink ${remotePath}: ${error.message}`));
      });
    });
  }

  async readText(remotePath: string): Promise<string | undefined> {
    const sftp = await this.#sftpSession();
    return new Promise((resolve, reject) => {
      sftp.readFile(remotePath, { encoding: 'utf8' }, (error, data) => {
        if (!error) resolve(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
        else if (isSftpStatus(error, SFTP_NO_SUCH_FILE)) resolve(undefined);
        else reject(new DeploybotError('remote_command_failed', `${this.host}: cannot read ${remotePath}: ${error.message}`));
      });
    });
  }

  async list(remotePath: string): Promise<string[]> {
    const sftp = await this.#sftpSession();
    return new Promise((resolve, reject) => {
      sftp.readdir(remotePath, (error, entries) => {
        if (!error) resolve(entries.map((e) => e.filename).filter((n) => n !== '.' && n !== '..').sort());
        else if (isSftpStatus(error, SFTP_NO_SUCH_FILE)) resolve([]);
        else reject(new DeploybotError('remote_command_failed', `${this.host}: cannot list ${remotePath}: ${error.message}`));
      });
    });
  }

  async exists(remotePath: string): Promise<boolean> {
    return (await this.#stat(await this.#sftpSession(), remotePath)) !== undefined;
  }

  async replaceSymlink(linkPath: string, targetDir: string): Promise<void> {
    const aside = posix.join(posix.dirname(linkPath), `.${posix.basename(linkPath)}.deploybot-next`);
    await this.#must(
      shScript('mkdir -p -- "$(dirname -- "$3")" && ln -sfn -- "$1" "$2" && mv -Tf -- "$2" "$3"', targetDir, aside, linkPath),
      `switching ${linkPath} to ${targetDir}`,
      'switch_failed',
    );
  }

  async freeBytes(remotePath: string): Promise<number | undefined> {
    const result = await this.#exec(shellCommand(shScript('p=$1; while [ ! -e "$p" ]; do p=$(dirname -- "$p"); done; df -Pk -- "$p" | tail -n 1', remotePath)));
    const available = Number(result.stdout.trim().split(/\s+/)[3]);
    return result.exitCode === 0 && Number.isFinite(available) ? available * 1024 : undefined;
  }

  async runScript(script: string, options: ScriptOptions): Promise<ScriptResult> {
    const started = Date.now();
    const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
    const env = Object.entries(options.env).map(([name, value]) => `${name}=${value}`);
    const argv = [
      'timeout', '-k', '5', String(seconds),
      ...shScript('cd -- "$1" || exit 97; shift; exec env "$@"', options.cwd, ...env, '/bin/sh', '-c', script),
    ];
    const tail = new OutputTail(options.redactor);
    const result = await this.#exec(shellCommand(argv), options.timeoutMs + 15_000, (chunk) => tail.push(chunk));
    const timedOut = result.timedOut || result.exitCode === 124 || result.exitCode === 137;
    if (result.exitCode === 97) tail.push(`\ncannot enter ${options.cwd}\n`);
    if (timedOut) tail.push(`\nkilled after ${options.timeoutMs} ms (timeout)\n`);
    return { exitCode: result.exitCode, timedOut, durationMs: Date.now() - started, outputTail: tail.lines() };
  }

  async startStep(stateDir: string, script: string, options: ScriptOptions): Promise<'started' | 'already-started'> {
    const env = Object.entries(options.env).map(([name, value]) => `${name}=${value}`);
    const argv = startStepArgv(stateDir, options.cwd, options.timeoutMs, ['env', ...env, '/bin/sh', '-c', script]);
    const result = await this.#exec(shellCommand(argv), 30_000);
    if (result.exitCode === ALREADY_STARTED) return 'already-started';
    if (result.exitCode !== 0) throw new DeploybotError('exec_failed', `${this.host}: cannot start a hook in ${stateDir} (exit ${result.exitCode ?? 'none'}): ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`, { host: this.host });
    return 'started';
  }

  async watchStep(stateDir: string, waitMs: number, redactor: Redactor): Promise<DetachedStepState> {
    const result = await this.#exec(shellCommand(watchStepArgv(stateDir, waitMs)), waitMs + 30_000);
    const state = result.exitCode === 0 ? parseWatch(result.stdout, redactor) : undefined;
    if (!state) throw new DeploybotError('exec_failed', `${this.host}: cannot read the state of the hook in ${stateDir} (exit ${result.exitCode ?? 'none'})`, { host: this.host });
    return state;
  }

  async run(argv: readonly string[], options: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const result = await this.#exec(shellCommand(argv), options.timeoutMs);
    if (result.timedOut) throw new DeploybotError('timeout', `${this.host}: ${argv[0]} timed out after ${options.timeoutMs} ms`, { host: this.host });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  prepare(): Promise<void> {
    return this.#connection.openAhead();
  }

  /** Drops the connection (or the handshake in progress) at once. */
  destroy(): void {
    this.#connection.destroy();
  }

  /** Ends the connection and resolves once it is closed. */
  close(): Promise<void> {
    return this.#connection.close();
  }
}

function isSftpStatus(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
