// The SSH transport (ssh2). The private key is handed to ssh2 from memory and never written
// anywhere; the host key must match the pinned one; one connection per host is opened on
// first use and reused by every step. Every remote command is a fixed script whose values
// are positional parameters, joined with shell quoting — nothing is spliced into a script.
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { Client, type ClientChannel, type SFTPWrapper, type Stats } from 'ssh2';
import { DeploybotError, errorMessage } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redactor.ts';
import type { Secret } from '../../core/secret.ts';
import { OutputTail } from '../output-tail.ts';
import { shellCommand, shScript } from '../quote-shell-arg.ts';
import type { CommandResult, ScriptResult } from '../command-result.ts';
import type { HostTransport, ScriptOptions } from './host-transport.ts';
import { hostKeyAlgorithms, hostKeyMismatch, parsePinnedHostKey, type PinnedHostKey } from './pinned-host-key.ts';

export interface SshEndpoint {
  /** Config name, used in messages. */
  host: string;
  address: string;
  port: number;
  user: string;
  privateKey: Secret;
  hostKey: string;
  /** How long the TCP connect + SSH handshake may take. Default 20 s. */
  connectTimeoutMs?: number;
}

const MISSING = 3;
const CHECKSUM_MISMATCH = 5;
const MAX_CAPTURE = 4 * 1024 * 1024;
/** SFTP status code for "no such file". */
const SFTP_NO_SUCH_FILE = 2;

export class SshTransport implements HostTransport {
  readonly kind = 'ssh';
  readonly host: string;
  readonly #endpoint: SshEndpoint;
  readonly #pinned: PinnedHostKey;
  #client: Promise<Client> | undefined;
  #live: Client | undefined;
  #sftp: Promise<SFTPWrapper> | undefined;

  constructor(endpoint: SshEndpoint) {
    this.#endpoint = endpoint;
    this.host = endpoint.host;
    this.#pinned = parsePinnedHostKey(endpoint.hostKey);
  }

  get where(): string {
    return `${this.#endpoint.address}:${this.#endpoint.port}`;
  }

  /** The open connection, made on first use. */
  connect(): Promise<Client> {
    this.#client ??= this.#open().catch((error: unknown) => {
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }

  #open(): Promise<Client> {
    const endpoint = this.#endpoint;
    return new Promise((resolve, reject) => {
      const client = new Client();
      this.#live = client;
      let mismatch: DeploybotError | undefined;
      let settled = false;
      client.on('ready', () => {
        settled = true;
        client.setNoDelay(true);
        resolve(client);
      });
      client.on('error', (error: Error & { level?: string; code?: string }) => {
        if (settled) return;
        settled = true;
        reject(mismatch ?? this.#connectError(error));
      });
      client.on('close', () => {
        if (this.#live === client) this.#forget();
        if (!settled) {
          settled = true;
          reject(mismatch ?? new DeploybotError('host_unreachable', `${this.host} (${this.where}): connection closed during the SSH handshake`, { host: this.host }));
        }
      });
      client.connect({
        host: endpoint.address,
        port: endpoint.port,
        username: endpoint.user,
        privateKey: endpoint.privateKey.reveal(),
        readyTimeout: endpoint.connectTimeoutMs ?? 20_000,
        keepaliveInterval: 5_000,
        keepaliveCountMax: 3,
        algorithms: { serverHostKey: hostKeyAlgorithms(this.#pinned.type) },
        hostVerifier: (key: Buffer) => {
          if (key.equals(this.#pinned.blob)) return true;
          mismatch = hostKeyMismatch(this.host, this.where, this.#pinned, key);
          return false;
        },
      });
    });
  }

  #connectError(error: Error & { level?: string; code?: string }): DeploybotError {
    const secretFree = redactSecrets(errorMessage(error), [this.#endpoint.privateKey]);
    if (error.code === 'ECONNREFUSED') return new DeploybotError('host_unreachable', `${this.host} (${this.where}): connection refused`, { host: this.host });
    if (error.level === 'client-authentication') return new DeploybotError('auth_failed', `${this.host} (${this.where}): the server refused the key for user ${this.#endpoint.user}`, { host: this.host });
    if (/timed out/i.test(secretFree)) return new DeploybotError('host_unreachable', `${this.host} (${this.where}): SSH handshake timed out`, { host: this.host });
    return new DeploybotError('host_unreachable', `${this.host} (${this.where}): ${secretFree}`, { host: this.host });
  }

  #forget(): void {
    this.#client = undefined;
    this.#live = undefined;
    this.#sftp = undefined;
  }

  async #sftpSession(): Promise<SFTPWrapper> {
    const client = await this.connect();
    this.#sftp ??= new Promise<SFTPWrapper>((resolve, reject) => {
      client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)));
    }).catch((error: unknown) => {
      this.#sftp = undefined;
      throw new DeploybotError('sftp_failed', `${this.host}: cannot open an SFTP session: ${errorMessage(error)}`);
    });
    return this.#sftp;
  }

  /** Runs a command line (already quoted) and collects its output. */
  async #exec(command: string, timeoutMs?: number, onData?: (chunk: Buffer) => void): Promise<CommandResult & { timedOut: boolean }> {
    const client = await this.connect();
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      client.exec(command, (error, stream) => (error ? reject(new DeploybotError('exec_failed', `${this.host}: cannot start a command: ${error.message}`)) : resolve(stream)));
    });
    return new Promise((resolve) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let exitCode: number | null = null;
      let timedOut = false;
      const keep = (into: Buffer[], chunk: Buffer) => {
        onData?.(chunk);
        if (size < MAX_CAPTURE) {
          into.push(chunk);
          size += chunk.length;
        }
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        timedOut = true;
        channel.close();
      }, timeoutMs);
      channel.on('data', (chunk: Buffer) => keep(out, chunk));
      channel.stderr.on('data', (chunk: Buffer) => keep(err, chunk));
      channel.on('exit', (code: number | null) => {
        exitCode = typeof code === 'number' ? code : null;
      });
      channel.on('close', () => {
        clearTimeout(timer);
        resolve({ exitCode, timedOut, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
    });
  }

  async #must(argv: readonly string[], what: string, code = 'remote_command_failed'): Promise<CommandResult> {
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

  async run(argv: readonly string[], options: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const result = await this.#exec(shellCommand(argv), options.timeoutMs);
    if (result.timedOut) throw new DeploybotError('timeout', `${this.host}: ${argv[0]} timed out after ${options.timeoutMs} ms`, { host: this.host });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  /** Drops the connection (or the handshake in progress) at once. */
  destroy(): void {
    const client = this.#live;
    this.#forget();
    client?.destroy();
  }

  /** Ends the connection and resolves once it is closed (so a pool that closes one host before opening the next really holds its bound). */
  async close(): Promise<void> {
    const client = this.#live;
    this.#forget();
    if (!client) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        client.destroy();
        resolve();
      }, CLOSE_WAIT_MS);
      client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      client.end();
    });
  }
}

/** How long close() waits for the server to finish the connection before cutting it. */
const CLOSE_WAIT_MS = 2000;

function isSftpStatus(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
