import { connect } from 'node:net';

export interface AskTcpOptions {
  host?: string;
  port: number;
  /** Bytes to send once connected (nothing when omitted). */
  send?: string;
  /** Resolve as soon as the text received so far satisfies this; else on close. */
  until?: (received: string) => boolean;
  /** @defaultValue 1000 */
  timeoutMs?: number;
}

/**
 * One short exchange over TCP: connect, send, collect the answer. Resolves with the text
 * received, or `undefined` when the connection failed or nothing satisfied `until` in time —
 * never rejects, so it is safe to poll with.
 */
export function askTcp(options: AskTcpOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    let received = '';
    let settled = false;
    const socket = connect({ host: options.host ?? '127.0.0.1', port: options.port });
    const finish = (value: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), options.timeoutMs ?? 1000);
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      if (options.send !== undefined) socket.write(options.send);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (options.until?.(received)) finish(received);
    });
    socket.once('error', () => finish(undefined));
    socket.once('close', () => finish(options.until && !options.until(received) ? undefined : received));
  });
}
