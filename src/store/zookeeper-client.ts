// Promise wrappers around node-zookeeper-client with the connection handling the release
// store relies on:
// - a request is only sent while the session is connected (the library would otherwise
//   queue it and send it whenever it reconnects — possibly after we gave up on it);
// - reads retry across connection loss until the caller's deadline;
// - a multi is sent once: a refusal (BAD_VERSION, NO_NODE, …) comes back as
//   ZooKeeperRefusal, a lost connection as ZooKeeperConnectionError whose `sent` says
//   whether the outcome is unknown (the caller re-reads to find out);
// - session expiry retires the client and the next request opens a new session;
// - a request without an answer within requestTimeoutMs retires the client too (the
//   library has no read timeout of its own).
import { type ACL, type Client, createClient, Exception, State } from 'node-zookeeper-client';
import type { Secret } from '../core/secret.ts';
import { botNodeAcl } from './zookeeper-acl.ts';
import type { ZkOp } from './zookeeper-op.ts';
import { abortClient, addHandshakeTimeout, makeAbortable, pinTransactionVersions } from './zookeeper-client-workarounds.ts';

export interface ZkNode {
  data: Buffer;
  version: number;
}

/** The server answered and refused the request (BAD_VERSION, NO_NODE, NODE_EXISTS, NOT_EMPTY, …). */
export class ZooKeeperRefusal extends Error {
  constructor(readonly code: number, readonly codeName: string, readonly path?: string) {
    super(`ZooKeeper ${codeName} (${code})${path ? ` at ${path}` : ''}`);
    this.name = 'ZooKeeperRefusal';
  }
}

/** No answer: the connection was lost, the session expired, the request timed out, or the client is closed. */
export class ZooKeeperConnectionError extends Error {
  constructor(
    readonly reason: 'connection_loss' | 'session_expired' | 'timeout' | 'not_connected' | 'closed',
    message: string,
    /** True when the request went out: a write may or may not have been applied. */
    readonly sent: boolean,
  ) {
    super(message);
    this.name = 'ZooKeeperConnectionError';
  }
}

export interface ZooKeeperClientOptions {
  /** `host:port[,host:port…]`. */
  connect: string;
  /** Requested session timeout (ZooKeeper clamps it to 2–20 ticks). */
  sessionTimeoutMs: number;
  /** How long a sent request may go unanswered before the client is retired. @defaultValue sessionTimeoutMs */
  requestTimeoutMs?: number;
  /** How long a connected socket may wait for the session handshake before it is dropped and retried. @defaultValue sessionTimeoutMs / 3, within 1–5 s */
  handshakeTimeoutMs?: number;
  /** Upper bound of the random pause between reconnect rounds. @defaultValue 250 */
  reconnectDelayMs?: number;
  /**
   * `user:password` (digest scheme): every session authenticates with it, and every node this
   * client creates is readable by anyone and writable only by that identity. Without it nodes
   * get the open ACL. @defaultValue none
   */
  auth?: Secret;
}

type Callback = (error: unknown, ...results: unknown[]) => void;

const CONNECTION_CODES = new Set([Exception.CONNECTION_LOSS, Exception.SESSION_EXPIRED, Exception.OPERATION_TIMEOUT]);

export class ZooKeeperClient {
  readonly connect: string;
  readonly #options: ZooKeeperClientOptions;
  /** The ACL of every node this client creates (mkdirp and multi creates alike). */
  readonly #acl: ACL[];
  #client: Client | undefined;
  #closed = false;
  /** Requests waiting for a session: woken on connect and on expiry. */
  readonly #stateWaiters = new Set<() => void>();
  /** Clients (sessions) opened so far: 1 + replacements after expiry or a hung request. */
  clientsOpened = 0;

  constructor(options: ZooKeeperClientOptions) {
    this.#options = options;
    this.connect = options.connect;
    this.#acl = botNodeAcl(options.auth);
  }

  /** The node's data and version, or undefined when it does not exist. Retries until `deadline` (epoch ms). */
  async getData(path: string, deadline: number): Promise<ZkNode | undefined> {
    return this.#read(deadline, async (client) => {
      try {
        const [data, stat] = await this.#send(client, deadline, (cb) => client.getData(path, cb));
        return { data: (data as Buffer | undefined) ?? Buffer.alloc(0), version: (stat as { version: number }).version };
      } catch (error) {
        if (error instanceof ZooKeeperRefusal && error.code === Exception.NO_NODE) return undefined;
        throw error;
      }
    });
  }

  /** The node's children, or undefined when it does not exist. Retries until `deadline`. */
  async getChildren(path: string, deadline: number): Promise<string[] | undefined> {
    return this.#read(deadline, async (client) => {
      try {
        const [children] = await this.#send(client, deadline, (cb) => client.getChildren(path, cb));
        return [...(children as string[])].sort();
      } catch (error) {
        if (error instanceof ZooKeeperRefusal && error.code === Exception.NO_NODE) return undefined;
        throw error;
      }
    });
  }

  /** Creates `path` and every missing parent (empty data, the client's ACL). Idempotent; retries until `deadline`. */
  async mkdirp(path: string, deadline: number): Promise<void> {
    await this.#read(deadline, async (client) => {
      await this.#send(client, deadline, (cb) => client.mkdirp(path, this.#acl, cb));
    });
  }

  /** One multi, sent at most once. Throws ZooKeeperRefusal (nothing applied) or ZooKeeperConnectionError. */
  async commit(ops: readonly ZkOp[], deadline: number): Promise<void> {
    const client = await this.#ready(deadline);
    const tx = client.transaction();
    for (const op of ops) {
      if (op.type === 'create') tx.create(op.path, op.data, this.#acl);
      else if (op.type === 'set') tx.setData(op.path, op.data, op.version);
      else if (op.type === 'check') tx.check(op.path, op.version);
      else tx.remove(op.path, op.version);
    }
    pinTransactionVersions(tx, ops);
    try {
      await this.#send(client, deadline, (cb) => tx.commit(cb));
    } catch (error) {
      if (error instanceof ZooKeeperRefusal && error.path === undefined) throw withFailingPath(error, ops);
      throw error;
    }
  }

  /** The current session's id and password, while there is one (diagnostics; tests use it to end the session). */
  get session(): { id: Buffer; password: Buffer } | undefined {
    const client = this.#client;
    return client?.getState() === State.SYNC_CONNECTED ? { id: client.getSessionId(), password: client.getSessionPassword() } : undefined;
  }

  /** Whether a session is connected right now. */
  get connected(): boolean {
    return this.#client?.getState() === State.SYNC_CONNECTED;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of [...this.#stateWaiters]) wake();
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    if (client.getState() !== State.SYNC_CONNECTED) {
      abortClient(client);
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        abortClient(client);
        resolve();
      }, 2000);
      client.once('disconnected', () => {
        clearTimeout(timer);
        abortClient(client);
        resolve();
      });
      client.close();
    });
  }

  async #read<T>(deadline: number, attempt: (client: Client) => Promise<T>): Promise<T> {
    for (;;) {
      const client = await this.#ready(deadline);
      try {
        return await attempt(client);
      } catch (error) {
        if (!(error instanceof ZooKeeperConnectionError) || error.reason === 'closed' || Date.now() >= deadline) throw error;
      }
    }
  }

  /** A connected client, opening a new session when there is none (first use, expiry, retired). */
  async #ready(deadline: number): Promise<Client> {
    for (;;) {
      if (this.#closed) throw new ZooKeeperConnectionError('closed', 'the ZooKeeper client is closed', false);
      const client = this.#client ?? this.#open();
      if (client.getState() === State.SYNC_CONNECTED) return client;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new ZooKeeperConnectionError('not_connected', `no ZooKeeper session with ${this.connect}`, false);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#stateWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, remaining);
        this.#stateWaiters.add(done);
      });
    }
  }

  #open(): Client {
    const client = createClient(this.connect, {
      sessionTimeout: this.#options.sessionTimeoutMs,
      spinDelay: this.#options.reconnectDelayMs ?? 250,
      retries: 0,
    });
    // sent with every (re)connect of this session, before any request (ConnectionManager keeps the credentials)
    if (this.#options.auth) client.addAuthInfo('digest', Buffer.from(this.#options.auth.reveal(), 'utf8'));
    makeAbortable(client);
    addHandshakeTimeout(client, this.#options.handshakeTimeoutMs ?? Math.max(1000, Math.min(5000, Math.floor(this.#options.sessionTimeoutMs / 3))));
    client.on('state', (state: State) => {
      if (state === State.EXPIRED) this.#retire(client);
      if (state === State.SYNC_CONNECTED || state === State.EXPIRED) for (const wake of [...this.#stateWaiters]) wake();
    });
    this.#client = client;
    this.clientsOpened += 1;
    client.connect();
    return client;
  }

  /** Stop using `client`: its session expired or it stopped answering. The next request opens a new session. */
  #retire(client: Client): void {
    if (this.#client === client) this.#client = undefined;
    abortClient(client);
  }

  #send(client: Client, deadline: number, request: (cb: Callback) => void): Promise<unknown[]> {
    const limit = this.#options.requestTimeoutMs ?? this.#options.sessionTimeoutMs;
    const remaining = deadline - Date.now();
    // A request sent just before the deadline still gets a fair chance to be answered.
    const timeoutMs = Math.max(Math.min(limit, remaining), Math.min(limit, 1000));
    if (remaining <= 0) return Promise.reject(new ZooKeeperConnectionError('timeout', `deadline passed before the request to ${this.connect} was sent`, false));
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        this.#retire(client);
        reject(new ZooKeeperConnectionError('timeout', `ZooKeeper ${this.connect} did not answer within ${timeoutMs} ms`, true));
      }, timeoutMs);
      request((error, ...results) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!error) return resolve(results);
        reject(this.#classify(client, error));
      });
    });
  }

  #classify(client: Client, error: unknown): Error {
    if (!(error instanceof Exception)) return error instanceof Error ? error : new Error(String(error));
    const code = error.getCode();
    if (!CONNECTION_CODES.has(code)) return new ZooKeeperRefusal(code, error.getName(), error.getPath?.() || undefined);
    if (code === Exception.SESSION_EXPIRED) {
      this.#retire(client);
      return new ZooKeeperConnectionError('session_expired', `ZooKeeper session with ${this.connect} expired`, true);
    }
    return new ZooKeeperConnectionError('connection_loss', `lost the connection to ZooKeeper ${this.connect}`, true);
  }
}

/** A failed multi reports only the error code; name the first op it could concern. */
function withFailingPath(error: ZooKeeperRefusal, ops: readonly ZkOp[]): ZooKeeperRefusal {
  const kinds: Record<number, ZkOp['type'][]> = {
    [Exception.BAD_VERSION]: ['set', 'check', 'remove'],
    [Exception.NO_NODE]: ['set', 'check', 'remove', 'create'],
    [Exception.NODE_EXISTS]: ['create'],
    [Exception.NOT_EMPTY]: ['remove'],
  };
  const candidates = kinds[error.code];
  const op = candidates ? ops.find((o) => candidates.includes(o.type)) : undefined;
  return op && ops.filter((o) => candidates!.includes(o.type)).length === 1 ? new ZooKeeperRefusal(error.code, error.codeName, op.path) : error;
}

