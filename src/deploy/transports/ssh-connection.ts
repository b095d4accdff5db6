// One SSH connection to one host (ssh2): opened on first use and reused by every step,
// the private key handed to ssh2 from memory and never written anywhere, the host key
// checked against the pinned one before anything is sent. Gives out exec channels and one
// SFTP session; a connection that closes is forgotten, and the next use reconnects.
import type { Readable } from 'node:stream';
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import { DeploybotError, errorMessage } from '../../core/errors.ts';
import type { Secret } from '../../core/secret.ts';
import type { CommandResult } from '../command-result.ts';
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

/** How much of a command's output is kept. */
const MAX_CAPTURE = 4 * 1024 * 1024;
/** How long close() waits for the server to finish the connection before cutting it. */
const CLOSE_WAIT_MS = 2000;

export class SshConnection {
  readonly host: string;
  readonly #endpoint: SshEndpoint;
  readonly #pinned: PinnedHostKey;
  #client: Promise<Client> | undefined;
  #ahead: Promise<Client> | undefined;
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
    const current = this.#client;
    // an attempt made ahead (openAhead) that fails is not this use's failure: it connects anew
    if (current !== undefined && current === this.#ahead) return current.catch(() => this.connect());
    this.#client ??= this.#attempt();
    return this.#client;
  }

  /**
   * Starts connecting before any operation needs it (while the worker still builds). Its
   * failure is reported to no one: the first operation connects again, so its own timeouts
   * count from its own start.
   */
  async openAhead(): Promise<void> {
    if (this.#client === undefined) this.#client = this.#ahead = this.#attempt();
    await this.#client;
    await this.sftpSession();
  }

  #attempt(): Promise<Client> {
    const attempt: Promise<Client> = this.#open().catch((error: unknown) => {
      if (this.#client === attempt) this.#client = undefined;
      throw error;
    });
    return attempt;
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
    // not redacted here: the key is one of the process's secrets, and this message reaches
    // chat, logs and Redis only through their redacting boundaries, and a deploy's result
    // through toErrorInfo (docs/operations.md, "What is redacted")
    const message = errorMessage(error);
    if (error.code === 'ECONNREFUSED') return new DeploybotError('host_unreachable', `${this.host} (${this.where}): connection refused`, { host: this.host });
    if (error.level === 'client-authentication') return new DeploybotError('auth_failed', `${this.host} (${this.where}): the server refused the key for user ${this.#endpoint.user}`, { host: this.host });
    if (/timed out/i.test(message)) return new DeploybotError('host_unreachable', `${this.host} (${this.where}): SSH handshake timed out`, { host: this.host });
    return new DeploybotError('host_unreachable', `${this.host} (${this.where}): ${message}`, { host: this.host });
  }

  #forget(): void {
    this.#client = undefined;
    this.#live = undefined;
    this.#sftp = undefined;
  }

  async sftpSession(): Promise<SFTPWrapper> {
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
  async exec(command: string, timeoutMs?: number, onData?: (chunk: Buffer) => void): Promise<CommandResult & { timedOut: boolean }> {
    const client = await this.connect();
    return new Promise((resolve, reject) => {
      client.exec(command, (error, channel) => {
        if (error) return reject(new DeploybotError('exec_failed', `${this.host}: cannot start a command: ${error.message}`));
        // listeners go on in this callback, not after an await: a quick command's data, exit
        // status and close can arrive in the same packet batch as the channel's opening, and
        // ssh2 emits 'exit' at once — a listener added a tick later never hears it
        collect(channel, timeoutMs, onData, resolve);
      });
    });
  }

  /**
   * Runs a command line (already quoted) with `input` streamed to its stdin (EOF at the
   * end of `input`, with ssh2's flow control: no more is read than the channel's window
   * takes) and collects its output. A command that ends before reading all of `input`
   * stops the stream; a failing `input` closes the channel.
   */
  async execWithInput(command: string, input: Readable, timeoutMs?: number): Promise<CommandResult & { timedOut: boolean }> {
    // listened to from the start: the input may fail before the channel opens
    let inputError: unknown;
    let channel: ClientChannel | undefined;
    input.on('error', (cause) => {
      inputError ??= cause;
      channel?.close();
    });
    const client = await this.connect().catch((error: unknown) => {
      input.destroy();
      throw error;
    });
    return new Promise((resolve, reject) => {
      client.exec(command, (error, opened) => {
        if (error) {
          input.destroy();
          return reject(new DeploybotError('exec_failed', `${this.host}: cannot start a command: ${error.message}`));
        }
        channel = opened;
        collect(opened, timeoutMs, undefined, (result) => {
          input.destroy();
          if (inputError) reject(new DeploybotError('upload_failed', `${this.host}: reading what was streamed failed: ${errorMessage(inputError)}`, { host: this.host }));
          else resolve(result);
        });
        if (inputError) return void opened.close();
        // ssh2 never calls back a write to a channel that has closed: the stream is destroyed on close instead
        input.pipe(opened);
      });
    });
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

function collect(
  channel: ClientChannel,
  timeoutMs: number | undefined,
  onData: ((chunk: Buffer) => void) | undefined,
  resolve: (result: CommandResult & { timedOut: boolean }) => void,
): void {
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
}
