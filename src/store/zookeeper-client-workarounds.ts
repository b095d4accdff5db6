// Workarounds for gaps in node-zookeeper-client 1.1.3, kept in one place because they reach
// into the library's internals (each checks that the internals are what it expects).
import type { Client } from 'node-zookeeper-client';
import type { ZkOp } from './zookeeper-op.ts';

/**
 * node-zookeeper-client turns a transaction version of 0 into -1 ("any version") with
 * `version || -1` (alexguan/node-zookeeper-client#67), which would silently drop the guard on
 * every node that was never modified. Write the versions into the queued ops directly.
 */
export function pinTransactionVersions(tx: unknown, ops: readonly ZkOp[]): void {
  const queued = (tx as { ops?: Array<{ path?: string; version?: number }> }).ops;
  if (!Array.isArray(queued) || queued.length !== ops.length) {
    throw new Error('node-zookeeper-client Transaction internals changed: cannot pin multi versions (see alexguan/node-zookeeper-client#67)');
  }
  ops.forEach((op, i) => {
    const target = queued[i]!;
    if (target.path !== op.path) throw new Error('node-zookeeper-client Transaction internals changed: op order differs');
    if (op.type !== 'create') target.version = op.version;
  });
}

const ABORTED = Symbol('aborted');
type AbortableClient = Client & { [ABORTED]?: boolean };
interface ConnectionManagerInternals {
  /** Negative once closing, closed, expired or failed authentication. */
  state?: number;
  socket?: { destroy(): void };
  connectTimeoutHandler?: ReturnType<typeof setTimeout> | null;
  findNextServer?: (callback: (server: unknown) => void) => void;
  onSocketConnected?: () => void;
}

/** ConnectionManager's state while the TCP connection is up but the session handshake is not done. */
const CONNECTING = 1;

function internalsOf(client: Client): ConnectionManagerInternals {
  const manager = (client as unknown as { connectionManager?: ConnectionManagerInternals }).connectionManager;
  if (!manager || typeof manager.findNextServer !== 'function') {
    throw new Error('node-zookeeper-client internals changed: cannot make the client abortable');
  }
  return manager;
}

/**
 * The library cannot abort a client that is (re)connecting: close() while a reconnect is
 * pending lets the pending attempt open a new socket, which then reconnects forever. Gate
 * every connection attempt on an "aborted" flag, so abortClient() really ends it.
 */
export function makeAbortable(client: Client): void {
  const manager = internalsOf(client);
  const findNextServer = manager.findNextServer!.bind(manager);
  manager.findNextServer = (callback) => findNextServer((server) => {
    if (!(client as AbortableClient)[ABORTED]) callback(server);
  });
}

/**
 * The library clears its connect timer as soon as TCP connects and then waits for the
 * session handshake with no timeout: a server that accepts the connection but never answers
 * (one that is starting or restarting) leaves the client CONNECTING forever. Close such a
 * socket after `timeoutMs`, so the library's own reconnect loop tries again.
 */
export function addHandshakeTimeout(client: Client, timeoutMs: number): void {
  const manager = internalsOf(client);
  if (typeof manager.onSocketConnected !== 'function') throw new Error('node-zookeeper-client internals changed: cannot add a handshake timeout');
  const onSocketConnected = manager.onSocketConnected.bind(manager);
  manager.onSocketConnected = () => {
    onSocketConnected();
    const socket = manager.socket;
    const timer = setTimeout(() => {
      if (manager.state === CONNECTING && manager.socket === socket && !(client as AbortableClient)[ABORTED]) socket?.destroy();
    }, timeoutMs);
    timer.unref();
  };
}

/** Ends the client now: no CLOSE_SESSION round trip, no reconnect, no timers left behind. */
export function abortClient(client: Client): void {
  const abortable = client as AbortableClient;
  if (abortable[ABORTED]) return;
  abortable[ABORTED] = true;
  const manager = internalsOf(client);
  if ((manager.state ?? 0) >= 0) {
    try {
      client.close(); // CLOSING: a socket that closes from now on does not reconnect
    } catch {
      // close() throws when the socket does not exist yet; the flag stops that attempt.
    }
  }
  if (manager.connectTimeoutHandler) clearTimeout(manager.connectTimeoutHandler);
  manager.socket?.destroy();
}
