// dingtalk-stream's DWClient with an injectable gateway: the SDK hard-codes
// https://api.dingtalk.com/v1.0/gateway/connections/open in getEndpoint(), so this subclass
// makes the same request (POST {clientId, clientSecret, ua, subscriptions} → {endpoint,
// ticket}) to `gatewayUrl`, and then lets the SDK connect its websocket as usual. After
// `disconnect()` it never reconnects (the SDK's pending retry timers call connect() again),
// and a reconnect does not leave the previous keep-alive timer running.
import { DWClient, GATEWAY_URL } from 'dingtalk-stream';

/** The part of the SDK's (private) ws socket that `close()` needs. */
interface ClosableSocket {
  readyState: number;
  once(event: 'close', listener: () => void): unknown;
}
const CLOSED = 3;

export interface DingTalkStreamClientOptions {
  clientId: string;
  clientSecret: string;
  /** @defaultValue the SDK's GATEWAY_URL */
  gatewayUrl?: string | undefined;
  /** Per request. @defaultValue 10000 */
  timeoutMs?: number;
  /** Told about every failed attempt to open a connection (the SDK retries every second and says nothing). */
  onConnectError?: (error: Error) => void;
}

export class DingTalkStreamClient extends DWClient {
  readonly gatewayUrl: string;
  readonly #timeoutMs: number;
  readonly #onConnectError: ((error: Error) => void) | undefined;
  #stopped = false;

  constructor(options: DingTalkStreamClientOptions) {
    super({ clientId: options.clientId, clientSecret: options.clientSecret, keepAlive: true, debug: false, ua: 'deploybot' });
    this.gatewayUrl = options.gatewayUrl ?? GATEWAY_URL;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#onConnectError = options.onConnectError;
  }

  override async getEndpoint(): Promise<this> {
    try {
      return await this.#openConnection();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.#onConnectError?.(failure);
      throw failure;
    }
  }

  async #openConnection(): Promise<this> {
    const config = this.getConfig();
    const response = await fetch(this.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ clientId: config.clientId, clientSecret: config.clientSecret, ua: config.ua, subscriptions: config.subscriptions }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const body = (await response.json().catch(() => ({}))) as { endpoint?: unknown; ticket?: unknown; code?: unknown };
    if (!response.ok || typeof body.endpoint !== 'string' || typeof body.ticket !== 'string') {
      throw new Error(`DingTalk gateway refused the connection (${response.status}${typeof body.code === 'string' ? ` ${body.code}` : ''})`);
    }
    // `dw_url` is what the SDK's _connect() opens; it is private only in its typings.
    (this as unknown as { dw_url: string }).dw_url = `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`;
    return this;
  }

  /**
   * The SDK starts a new keep-alive interval on every (re)connect without clearing the old
   * one; two intervals sharing one `isAlive` flag would terminate a healthy socket. Clear it.
   */
  override _connect(): Promise<void> {
    const state = this as unknown as { heartbeatIntervallId?: ReturnType<typeof setInterval> };
    if (state.heartbeatIntervallId !== undefined) clearInterval(state.heartbeatIntervallId);
    return super._connect();
  }

  override async connect(): Promise<void> {
    if (this.#stopped) return;
    await super.connect();
  }

  override disconnect(): void {
    this.#stopped = true;
    super.disconnect();
  }

  /** Disconnects for good and resolves once the websocket has closed (at most `timeoutMs`). */
  async close(timeoutMs = 2000): Promise<void> {
    const socket = (this as unknown as { socket?: ClosableSocket }).socket;
    this.disconnect();
    if (!socket || socket.readyState === CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
