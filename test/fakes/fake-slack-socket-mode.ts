// The websocket side of Slack's Socket Mode, attached to the fake Web API's server: the
// client calls `apps.connections.open` (with the xapp- app token) and gets this socket's URL;
// the fake greets with `{type: 'hello'}`, pushes envelopes `{envelope_id, type, payload,
// accepts_response_payload}` (`slash_commands`, `interactive`, `events_api`) and records the
// client's acks `{envelope_id, payload}`.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { CallLog } from './call-log.ts';

export interface SocketModeAck {
  envelope_id: string;
  payload: unknown;
}

export class FakeSlackSocketMode {
  readonly acks = new CallLog<SocketModeAck>();
  readonly connections = new CallLog<WebSocket>();
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #tickets = new Set<string>();

  constructor(server: Server, private readonly port: () => number) {
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/socket-mode' || !this.#tickets.delete(url.searchParams.get('ticket') ?? '')) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    });
  }

  /** A one-time websocket URL, as `apps.connections.open` returns it. */
  issueUrl(): string {
    const ticket = randomBytes(8).toString('hex');
    this.#tickets.add(ticket);
    return `ws://127.0.0.1:${this.port()}/socket-mode?ticket=${ticket}`;
  }

  async waitForConnection(count = 1): Promise<void> {
    await this.connections.waitFor(() => true, count, 'Socket Mode connection');
  }

  /** Sends an envelope to the newest open connection; returns its envelope_id. */
  push(type: 'slash_commands' | 'interactive' | 'events_api', payload: unknown): string {
    const socket = this.connections.filter((ws) => ws.readyState === WebSocket.OPEN).at(-1);
    if (!socket) throw new Error('fake Slack: no open Socket Mode connection');
    const envelopeId = randomBytes(8).toString('hex');
    socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api' }));
    return envelopeId;
  }

  waitForAck(envelopeId: string): Promise<SocketModeAck[]> {
    return this.acks.waitFor((ack) => ack.envelope_id === envelopeId, 1, `ack of envelope ${envelopeId}`);
  }

  close(): void {
    for (const ws of this.connections.entries) ws.terminate();
    this.#wss.close();
  }

  #accept(ws: WebSocket): void {
    ws.on('message', (raw) => {
      try {
        const ack = JSON.parse(String(raw)) as SocketModeAck;
        if (typeof ack.envelope_id === 'string') this.acks.push(ack);
      } catch {
        // not an ack
      }
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'A0FAKE' } }));
    this.connections.push(ws);
  }
}
