// dingtalk-stream's DWClient with an injectable gateway and a connection loop of its own.
//
// The gateway: the SDK hard-codes https://api.dingtalk.com/v1.0/gateway/connections/open in
// getEndpoint(), so this subclass makes the same request (POST {clientId, clientSecret, ua,
// subscriptions} → {endpoint, ticket}) to `gatewayUrl`, and then lets the SDK open its
// websocket as usual.
//
// The loop: dingtalk-stream 2.1.5 schedules a reconnect twice when a websocket handshake
// fails (once from the socket's `error` path through connect()'s catch, once from its `close`
// handler), so attempts double every round and sockets pile up. Here the SDK's autoReconnect
// is off; this class keeps one connection state, makes one attempt at a time, never opens a
// socket while another is open, and waits `reconnectDelay()` (exponential, with jitter)
// between failed attempts. See docs/dingtalk.md ("Reconnecting").
import { DWClient, GATEWAY_URL } from 'dingtalk-stream';
import { DEFAULT_RECONNECT_BACKOFF, type ReconnectBackoff, reconnectDelay } from '../../domain/reconnect-delay.ts';

/** The part of the SDK's (private) ws socket this class needs. */
interface StreamSocket {
  readyState: number;
  once(event: 'close', listener: () => void): unknown;
  terminate(): void;
}
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

export type StreamConnectionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped';

export interface DingTalkStreamClientOptions {
  clientId: string;
  clientSecret: string;
  /** @defaultValue the SDK's GATEWAY_URL */
  gatewayUrl?: string | undefined;
  /** Per request, and for the websocket handshake. @defaultValue 10000 */
  timeoutMs?: number;
  /** Waits between failed attempts. @defaultValue 1 s doubling up to 60 s, with jitter */
  backoff?: ReconnectBackoff | undefined;
  /** Told about every failed attempt to open a connection, and how long until the next one. */
  onConnectError?: (error: Error, retryInMs: number) => void;
  /** Told when an open connection closed and another will be opened in `retryInMs`. */
  onDisconnect?: (retryInMs: number) => void;
}

export class DingTalkStreamClient extends DWClient {
  readonly gatewayUrl: string;
  readonly #timeoutMs: number;
  readonly #backoff: ReconnectBackoff;
  readonly #options: DingTalkStreamClientOptions;
  #state: StreamConnectionState = 'idle';
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #attempt: Promise<void> | undefined;

  constructor(options: DingTalkStreamClientOptions) {
    // `autoReconnect` is read by the SDK at run time though its constructor typings omit it.
    const settings = { clientId: options.clientId, clientSecret: options.clientSecret, keepAlive: true, debug: false, ua: 'deploybot', autoReconnect: false };
    super(settings);
    this.gatewayUrl = options.gatewayUrl ?? GATEWAY_URL;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#backoff = options.backoff ?? DEFAULT_RECONNECT_BACKOFF;
    this.#options = options;
    // The SDK hands these to `new WebSocket(url, options)`: a handshake that hangs fails too.
    (this as unknown as { sslopts: Record<string, unknown> }).sslopts = { rejectUnauthorized: true, handshakeTimeout: this.#timeoutMs };
  }

  get state(): StreamConnectionState {
    return this.#state;
  }

  override async getEndpoint(): Promise<this> {
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
   * The SDK starts a new keep-alive interval on every connect without clearing the old one;
   * two intervals sharing one `isAlive` flag would terminate a healthy socket. Clear it.
   */
  override _connect(): Promise<void> {
    this.#clearHeartbeat();
    return super._connect();
  }

  /**
   * One attempt to connect, unless one is under way or a connection is open (then it joins
   * that). A failed attempt schedules the next one after the back-off; it does not throw.
   */
  override connect(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'open') return Promise.resolve();
    if (this.#attempt) return this.#attempt;
    this.#clearTimer();
    this.#state = 'connecting';
    this.#attempt = this.#tryOnce().finally(() => {
      this.#attempt = undefined;
    });
    return this.#attempt;
  }

  override disconnect(): void {
    this.#state = 'stopped';
    this.#clearTimer();
    this.#clearHeartbeat();
    super.disconnect();
  }

  /** Disconnects for good and resolves once the websocket has closed (at most `timeoutMs`). */
  async close(timeoutMs = 2000): Promise<void> {
    const socket = this.#socket();
    this.disconnect();
    await this.#attempt;
    if (!socket || socket.readyState === CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, timeoutMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async #tryOnce(): Promise<void> {
    this.#dropSocket();
    try {
      await this.getEndpoint();
      if (this.#stopped()) return;
      await this._connect();
    } catch (error) {
      this.#dropSocket();
      if (this.#stopped()) return;
      const retryInMs = this.#scheduleRetry();
      this.#options.onConnectError?.(error instanceof Error ? error : new Error(String(error)), retryInMs);
      return;
    }
    const socket = this.#socket();
    if (this.#stopped() || !socket) {
      socket?.terminate();
      return;
    }
    this.#state = 'open';
    this.#failures = 0;
    socket.once('close', () => {
      if (this.#socket() !== socket || this.#stopped()) return;
      this.#clearHeartbeat();
      this.connected = false;
      const retryInMs = this.#scheduleRetry();
      this.#options.onDisconnect?.(retryInMs);
    });
  }

  /** Schedules the next attempt; returns its delay. */
  #scheduleRetry(failures = this.#failures++): number {
    const delay = reconnectDelay(failures, this.#backoff);
    this.#state = 'waiting';
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.connect();
    }, delay);
    return delay;
  }

  /** Makes sure no earlier socket stays open or half-open before another is opened. */
  #dropSocket(): void {
    const socket = this.#socket();
    if (socket && (socket.readyState === CONNECTING || socket.readyState === OPEN)) socket.terminate();
  }

  #stopped(): boolean {
    return this.#state === 'stopped';
  }

  #socket(): StreamSocket | undefined {
    return (this as unknown as { socket?: StreamSocket }).socket;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #clearHeartbeat(): void {
    const state = this as unknown as { heartbeatIntervallId?: ReturnType<typeof setInterval> };
    if (state.heartbeatIntervallId !== undefined) clearInterval(state.heartbeatIntervallId);
    state.heartbeatIntervallId = undefined;
  }
}
