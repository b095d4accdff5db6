// A local DingTalk Stream gateway speaking the protocol dingtalk-stream's DWClient speaks:
// `POST /v1.0/gateway/connections/open` with {clientId, clientSecret, ua, subscriptions}
// answers {endpoint, ticket}; the client opens `<endpoint>?ticket=<ticket>` as a websocket;
// the gateway pushes frames `{specVersion, type: 'CALLBACK', headers: {appId, connectionId,
// contentType, messageId, time, topic}, data: '<JSON string>'}`; the client acks each with
// `{code: 200, headers: {contentType, messageId}, message: 'OK', data: '{"response": …}'}`.
// Robot messages carry a session webhook; see fake-dingtalk-openapi.ts for its endpoint.
// Like the real gateway it can refuse websocket handshakes (`refuseHandshakes`: the upgrade
// is answered with an HTTP error, which is what makes dingtalk-stream 2.1.5 schedule two
// reconnects), drop open connections, and it records every handshake and how many
// connections were open at once.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { waitUntil } from '../../src/services/wait-until.ts';
import { CallLog } from './call-log.ts';

export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
export const TOPIC_CARD = '/v1.0/card/instances/callback';

export interface GatewayAck {
  messageId: string;
  code: number;
  /** `data` parsed: `{response: …}` for callbacks. */
  data: unknown;
}

export interface ConnectionOpen {
  clientId: string;
  ua: string;
  subscriptions: Array<{ type: string; topic: string }>;
}

export interface Handshake {
  /** Date.now() when the upgrade request arrived. */
  at: number;
  accepted: boolean;
}

export interface PushOptions {
  messageId?: string;
  /** Which connection (in opening order, from 0). @defaultValue the newest open one */
  connection?: number;
}

export interface RobotMessageFields {
  msgId?: string;
  conversationId: string;
  conversationType?: '1' | '2';
  senderStaffId: string;
  senderNick?: string;
  content: string;
  msgtype?: string;
  sessionWebhook: string;
  /** Milliseconds since the epoch. @defaultValue now + 90 minutes */
  sessionWebhookExpiredTime?: number;
  robotCode?: string;
}

export class FakeDingTalkGateway {
  readonly opens = new CallLog<ConnectionOpen>();
  readonly acks = new CallLog<GatewayAck>();
  readonly handshakes = new CallLog<Handshake>();
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #tickets = new Set<string>();
  readonly #sockets = new CallLog<WebSocket>();
  #port = 0;
  #seq = 0;
  #refuse: { count: number; status: number } = { count: 0, status: 503 };
  #openCount = 0;
  #maxOpen = 0;

  private constructor(private readonly credentials: { clientId: string; clientSecret: string }) {
    this.#server = createServer((req, res) => {
      this.#open(req).then(
        ({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
    this.#server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const ticket = url.searchParams.get('ticket') ?? '';
      if (url.pathname !== '/connect' || !this.#tickets.delete(ticket)) {
        this.handshakes.push({ at: Date.now(), accepted: false });
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      if (this.#refuse.count > 0) {
        this.#refuse.count -= 1;
        this.handshakes.push({ at: Date.now(), accepted: false });
        socket.end(`HTTP/1.1 ${this.#refuse.status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      this.handshakes.push({ at: Date.now(), accepted: true });
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    });
  }

  static async start(credentials: { clientId: string; clientSecret: string }): Promise<FakeDingTalkGateway> {
    const gateway = new FakeDingTalkGateway(credentials);
    gateway.#server.listen(0, '127.0.0.1');
    await once(gateway.#server, 'listening');
    gateway.#port = (gateway.#server.address() as AddressInfo).port;
    return gateway;
  }

  /** What the client should use instead of the SDK's GATEWAY_URL. */
  get connectionsOpenUrl(): string {
    return `http://127.0.0.1:${this.#port}/v1.0/gateway/connections/open`;
  }

  /** Resolves once `count` websocket connections have been opened. */
  async waitForConnection(count = 1): Promise<void> {
    await this.#sockets.waitFor(() => true, count, 'stream connection');
  }

  get openConnections(): number {
    return this.#sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
  }

  /** The most connections that were open at the same time since the last `resetMaxOpen()`. */
  get maxOpenConnections(): number {
    return this.#maxOpen;
  }

  resetMaxOpen(): void {
    this.#maxOpen = this.#openCount;
  }

  /** The next `count` websocket handshakes (with a valid ticket) are answered HTTP `status` instead of upgraded. */
  refuseHandshakes(count: number, status = 503): void {
    this.#refuse = { count, status };
  }

  /** Closes every open connection from the gateway's side (as a gateway restart does). */
  dropConnections(): void {
    for (const ws of this.#sockets.entries) if (ws.readyState === WebSocket.OPEN) ws.terminate();
  }

  /** Resolves once no connection is open. */
  async waitForNoConnection(timeoutMs = 5000): Promise<void> {
    await waitUntil(() => this.#openCount === 0, { what: 'every stream connection to close', timeoutMs, intervalMs: 10 });
  }

  /**
   * Pushes a CALLBACK frame, to connection number `connection` (in the order they were
   * opened, from 0) or else to the newest open one; returns its messageId.
   */
  push(topic: string, data: unknown, options: PushOptions = {}): string {
    const messageId = options.messageId ?? `msg-${randomBytes(6).toString('hex')}`;
    const socket = options.connection !== undefined
      ? this.#sockets.entries[options.connection]
      : this.#sockets.filter((ws) => ws.readyState === WebSocket.OPEN).at(-1);
    if (!socket || socket.readyState !== WebSocket.OPEN) throw new Error('fake DingTalk gateway: no open stream connection to push to');
    socket.send(JSON.stringify({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: {
        appId: 'fake-app',
        connectionId: `conn-${this.#seq++}`,
        contentType: 'application/json',
        messageId,
        time: String(Date.now()),
        topic,
      },
      data: JSON.stringify(data),
    }));
    return messageId;
  }

  /** A robot message as DingTalk delivers it on TOPIC_ROBOT; returns the frame's messageId. */
  pushRobotMessage(fields: RobotMessageFields, options?: PushOptions): string {
    return this.push(TOPIC_ROBOT, robotMessageData(fields), options);
  }

  /** A button click on an interactive card, as DingTalk delivers it on TOPIC_CARD. */
  pushCardCallback(fields: { outTrackId: string; userId: string; params: Record<string, unknown> }, options?: PushOptions): string {
    return this.push(TOPIC_CARD, {
      extension: '{}',
      corpId: 'ding-corp',
      type: 'actionCallback',
      userId: fields.userId,
      content: JSON.stringify({ cardPrivateData: { actionIds: ['action'], params: fields.params } }),
      outTrackId: fields.outTrackId,
    }, options);
  }

  waitForAck(messageId: string, count = 1): Promise<GatewayAck[]> {
    return this.acks.waitFor((ack) => ack.messageId === messageId, count, `ack of ${messageId}`);
  }

  async close(): Promise<void> {
    for (const ws of this.#sockets.entries) ws.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #open(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'POST' || url.pathname !== '/v1.0/gateway/connections/open') return { status: 404, body: { code: 'NotFound' } };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    if (body.clientId !== this.credentials.clientId || body.clientSecret !== this.credentials.clientSecret) {
      return { status: 401, body: { code: 'InvalidAuthentication', message: 'clientId or clientSecret is wrong' } };
    }
    this.opens.push({ clientId: String(body.clientId), ua: String(body.ua ?? ''), subscriptions: (body.subscriptions as ConnectionOpen['subscriptions']) ?? [] });
    const ticket = randomBytes(12).toString('hex');
    this.#tickets.add(ticket);
    return { status: 200, body: { endpoint: `ws://127.0.0.1:${this.#port}/connect`, ticket } };
  }

  #accept(ws: WebSocket): void {
    this.#openCount += 1;
    this.#maxOpen = Math.max(this.#maxOpen, this.#openCount);
    ws.once('close', () => {
      this.#openCount -= 1;
    });
    ws.on('message', (raw) => {
      let frame: { code?: number; headers?: { messageId?: string }; data?: string };
      try {
        frame = JSON.parse(String(raw)) as typeof frame;
      } catch {
        return;
      }
      const messageId = frame.headers?.messageId;
      if (messageId === undefined || frame.code === undefined) return;
      let data: unknown = frame.data;
      try {
        data = typeof frame.data === 'string' ? JSON.parse(frame.data) : frame.data;
      } catch {
        // keep the raw string
      }
      this.acks.push({ messageId, code: frame.code, data });
    });
    this.#sockets.push(ws);
  }
}

export function robotMessageData(fields: RobotMessageFields): Record<string, unknown> {
  const now = Date.now();
  return {
    conversationId: fields.conversationId,
    chatbotCorpId: 'ding-corp',
    chatbotUserId: '$:LWCP_v1:$robot',
    msgId: fields.msgId ?? `msg${randomBytes(8).toString('hex')}`,
    senderNick: fields.senderNick ?? fields.senderStaffId,
    isAdmin: false,
    senderStaffId: fields.senderStaffId,
    sessionWebhookExpiredTime: fields.sessionWebhookExpiredTime ?? now + 90 * 60_000,
    createAt: now,
    senderCorpId: 'ding-corp',
    conversationType: fields.conversationType ?? '2',
    senderId: `$:LWCP_v1:$${fields.senderStaffId}`,
    sessionWebhook: fields.sessionWebhook,
    robotCode: fields.robotCode ?? 'ding-robot',
    msgtype: fields.msgtype ?? 'text',
    text: { content: fields.content },
    isInAtList: true,
    conversationTitle: 'deploys',
  };
}
