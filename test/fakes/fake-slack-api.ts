// A local stand-in for the Slack Web API (https://slack.com/api/<method>), speaking its wire
// format: form-encoded (or JSON) POSTs with `Authorization: Bearer <token>`, JSON answers
// `{ok, …}`, HTTP 429 with `Retry-After` when rate-limited. It implements what deploybot
// calls — auth.test, chat.postMessage/update/postEphemeral, files.getUploadURLExternal,
// the upload URL and files.completeUploadExternal (filesUploadV2), views.open (a modal,
// opened with a click's trigger_id, each trigger_id once), response_url, and
// apps.connections.open for Socket Mode (see fake-slack-socket-mode.ts) — and records
// every call so tests assert on what was sent. With `enforceLimits`, it answers 429 with
// Retry-After above Slack's rate limits as deploybot keeps to them
// (docs/reference/chat-limits.md): chat.update per workspace per window and per message,
// chat.postMessage per channel; every call is recorded with its time and status (429: refused).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './call-log.ts';
import { FakeSlackSocketMode } from './fake-slack-socket-mode.ts';

export interface SlackApiCall {
  method: string;
  params: Record<string, unknown>;
  /** The bearer token the call carried. */
  token: string | undefined;
  /** Date.now() when the call arrived. */
  at: number;
  /** The HTTP status answered. */
  status: number;
}

/** Slack's limits as the fake enforces them; per message and per channel: 1 call per `windowMs / 60`. */
export interface FakeSlackLimits {
  /** @defaultValue 60000 */
  windowMs?: number;
  /** chat.update calls per window for the workspace. @defaultValue 40 */
  updatesPerWindow?: number;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  /** Every state the message had, the posted one first. */
  history: Array<{ text: string; blocks: unknown[] }>;
}

export interface FakeSlackApiOptions {
  /** The bot token the fake accepts; any other is answered `invalid_auth`. */
  token: string;
  /** The app-level token (xapp-…) `apps.connections.open` accepts, for Socket Mode. */
  appToken?: string;
}

const JSON_PARAMS = new Set(['blocks', 'attachments', 'files', 'metadata', 'view']);

/** A modal as views.open answers it (`view` of the response), with the trigger_id that opened it. */
export interface FakeSlackView {
  id: string;
  hash: string;
  triggerId: string;
  view: Record<string, unknown>;
}

export class FakeSlackApi {
  readonly log = new CallLog<SlackApiCall>();
  readonly messages = new Map<string, FakeSlackMessage>();
  readonly uploads = new Map<string, { filename: string; bytes: number; content: string }>();
  /** Modals opened with views.open, in order. */
  readonly views: FakeSlackView[] = [];
  readonly socketMode: FakeSlackSocketMode;
  #server: Server;
  #port = 0;
  #ts = 1_700_000_000_000_100;
  #fileSeq = 0;
  #rateLimits = new Map<string, { times: number; retryAfter: number }>();
  #failures = new Map<string, { times: number; error: string }>();
  #outage: 'hang' | 'drop' | undefined;
  #limits: { windowMs: number; updatesPerWindow: number } | undefined;
  /** Accepted calls' times per limited thing (`update`, `update:<channel>/<ts>`, `post:<channel>`). */
  #accepted = new Map<string, number[]>();

  private constructor(private readonly options: FakeSlackApiOptions) {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
    });
    this.socketMode = new FakeSlackSocketMode(this.#server, () => this.#port);
  }

  static async start(options: FakeSlackApiOptions): Promise<FakeSlackApi> {
    const fake = new FakeSlackApi(options);
    fake.#server.listen(0, '127.0.0.1');
    await once(fake.#server, 'listening');
    fake.#port = (fake.#server.address() as AddressInfo).port;
    return fake;
  }

  /** The Web API base to give as `slackApiUrl` / `SLACK_API_URL`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.#port}/api/`;
  }

  /** A response_url for a slash command or button payload; what is posted there is recorded as method `response_url`. */
  responseUrl(id = 'r1'): string {
    return `http://127.0.0.1:${this.#port}/respond/${id}`;
  }

  get calls(): SlackApiCall[] {
    return this.log.entries;
  }

  callsTo(method: string): SlackApiCall[] {
    return this.log.filter((call) => call.method === method);
  }

  /** Successful calls only. */
  okCallsTo(method: string): SlackApiCall[] {
    return this.callsTo(method).filter((call) => call.status === 200);
  }

  /** The next `times` calls of `method` are answered 429 with `Retry-After: retryAfter` (seconds). */
  rateLimit(method: string, times: number, retryAfter: number): void {
    this.#rateLimits.set(method, { times, retryAfter });
  }

  /** From now on, calls above Slack's rate limits are answered 429 with Retry-After (see FakeSlackLimits). */
  enforceLimits(limits: FakeSlackLimits = {}): void {
    this.#limits = { windowMs: limits.windowMs ?? 60_000, updatesPerWindow: limits.updatesPerWindow ?? 40 };
  }

  /** Calls answered 429 (refused), of `method` or of all. */
  refusedCalls(method?: string): SlackApiCall[] {
    return this.log.filter((call) => call.status === 429 && (method === undefined || call.method === method));
  }

  /** The next `times` calls of `method` are answered `{ok: false, error}`. */
  fail(method: string, error: string, times = 1): void {
    this.#failures.set(method, { times, error });
  }

  /**
   * A Slack that cannot be reached: `hang` takes Web API requests and never answers them,
   * `drop` closes each connection without an answer; `undefined` answers again. Unanswered
   * calls are not recorded.
   */
  outage(mode: 'hang' | 'drop' | undefined): void {
    this.#outage = mode;
  }

  /** Resolves once `count` calls of `method` (matching `where`) have arrived. */
  waitForCalls(method: string, count = 1, where: (call: SlackApiCall) => boolean = () => true, timeoutMs = 10_000): Promise<SlackApiCall[]> {
    return this.log.waitFor((call) => call.method === method && where(call), count, `call to ${method}`, timeoutMs);
  }

  async close(): Promise<void> {
    this.socketMode.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    if (url.pathname.startsWith('/upload/')) return this.#upload(url.pathname.slice('/upload/'.length), req, raw, res);
    if (url.pathname.startsWith('/respond/')) {
      this.#record('response_url', { id: url.pathname.slice('/respond/'.length), ...safeJson(raw.toString('utf8')) }, undefined, 200);
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    }
    if (!url.pathname.startsWith('/api/')) return void res.writeHead(404).end();
    if (this.#outage === 'hang') return;
    if (this.#outage === 'drop') return void req.socket.destroy();
    const method = url.pathname.slice('/api/'.length);
    const params = parseParams(req.headers['content-type'], raw.toString('utf8'));
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof params.token === 'string' ? params.token : undefined);

    const limit = this.#rateLimits.get(method);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      this.#record(method, params, token, 429);
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(limit.retryAfter) });
      return void res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    }
    const overLimitMs = this.#overLimit(method, params);
    if (overLimitMs !== undefined) {
      this.#record(method, params, token, 429);
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(Math.max(1, Math.ceil(overLimitMs / 1000))) });
      return void res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    }
    const reply = (body: Record<string, unknown>) => {
      this.#record(method, params, token, 200);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    };
    if (method === 'apps.connections.open') {
      if (!this.options.appToken || token !== this.options.appToken) return reply({ ok: false, error: 'invalid_auth' });
      return reply({ ok: true, url: this.socketMode.issueUrl() });
    }
    if (token !== this.options.token) return reply({ ok: false, error: 'invalid_auth' });
    const failure = this.#failures.get(method);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      return reply({ ok: false, error: failure.error });
    }
    reply(this.#answer(method, params));
  }

  /** With limits on: ms until `method` would be within them (the call is refused), or undefined (accepted and counted). */
  #overLimit(method: string, params: Record<string, unknown>): number | undefined {
    const limits = this.#limits;
    if (!limits) return undefined;
    const perSecond = limits.windowMs / 60;
    const checks: Array<[string, number, number]> = [];
    if (method === 'chat.update') {
      checks.push(['update', limits.updatesPerWindow, limits.windowMs], [`update:${String(params.channel)}/${String(params.ts)}`, 1, perSecond]);
    } else if (method === 'chat.postMessage') {
      checks.push([`post:${String(params.channel)}`, 1, perSecond]);
    } else {
      return undefined;
    }
    const now = Date.now();
    let wait = 0;
    for (const [key, limit, windowMs] of checks) {
      const times = (this.#accepted.get(key) ?? []).filter((at) => at > now - windowMs);
      this.#accepted.set(key, times);
      if (times.length >= limit) wait = Math.max(wait, (times[times.length - limit] as number) + windowMs - now);
    }
    if (wait > 0) return wait;
    for (const [key] of checks) this.#accepted.get(key)!.push(now);
    return undefined;
  }

  #answer(method: string, params: Record<string, unknown>): Record<string, unknown> {
    const str = (key: string) => (typeof params[key] === 'string' ? (params[key] as string) : undefined);
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'deploybot', team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'chat.postMessage': {
        const channel = str('channel');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const ts = this.#nextTs();
        const state = { text: str('text') ?? '', blocks: (params.blocks as unknown[]) ?? [] };
        this.messages.set(`${channel}/${ts}`, { channel, ts, ...state, history: [state] });
        return { ok: true, channel, ts, message: { type: 'message', text: state.text, ts, blocks: state.blocks } };
      }
      case 'chat.update': {
        const channel = str('channel') ?? '';
        const ts = str('ts') ?? '';
        const message = this.messages.get(`${channel}/${ts}`);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = str('text') ?? '';
        message.blocks = (params.blocks as unknown[]) ?? [];
        message.history.push({ text: message.text, blocks: message.blocks });
        return { ok: true, channel, ts, text: message.text };
      }
      case 'views.open': {
        // Slack: a trigger_id opens one view, within 3 s of the interaction
        const triggerId = str('trigger_id');
        const view = params.view;
        if (!triggerId || this.views.some((v) => v.triggerId === triggerId)) return { ok: false, error: 'invalid_trigger_id' };
        if (view === null || typeof view !== 'object' || (view as { type?: unknown }).type !== 'modal') return { ok: false, error: 'invalid_arguments' };
        const opened: FakeSlackView = { id: `V0FAKE${this.views.length + 1}`, hash: `${Date.now()}.fake${this.views.length + 1}`, triggerId, view: view as Record<string, unknown> };
        this.views.push(opened);
        return { ok: true, view: { ...opened.view, id: opened.id, hash: opened.hash, team_id: 'T0FAKE', app_id: 'A0FAKE', bot_id: 'B0BOT', state: { values: {} }, previous_view_id: null, root_view_id: opened.id } };
      }
      case 'chat.postEphemeral':
        if (!str('channel') || !str('user')) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, message_ts: this.#nextTs() };
      case 'files.getUploadURLExternal': {
        const filename = str('filename');
        const length = Number(params.length);
        if (!filename || !Number.isFinite(length)) return { ok: false, error: 'invalid_arguments' };
        const fileId = `F0FAKE${++this.#fileSeq}`;
        this.uploads.set(fileId, { filename, bytes: -1, content: '' });
        return { ok: true, upload_url: `http://127.0.0.1:${this.#port}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal': {
        const files = (params.files as Array<{ id: string; title?: string }> | undefined) ?? [];
        if (files.length === 0 || files.some((file) => !this.uploads.has(file.id) || this.uploads.get(file.id)?.bytes === -1)) {
          return { ok: false, error: 'file_not_found' };
        }
        return { ok: true, files: files.map((file) => ({ id: file.id, title: file.title, name: this.uploads.get(file.id)?.filename })) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  async #upload(fileId: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const upload = this.uploads.get(fileId);
    if (!upload || req.method !== 'POST') return void res.writeHead(404).end();
    // filesUploadV2 posts the bytes as multipart/form-data (field `body`) or raw.
    let content = raw.toString('utf8');
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
      const part = form.get('body');
      content = typeof part === 'string' ? part : part ? await part.text() : '';
    }
    upload.bytes = Buffer.byteLength(content);
    upload.content = content;
    this.#record('upload', { fileId, bytes: upload.bytes }, undefined, 200);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${upload.bytes}`);
  }

  #record(method: string, params: Record<string, unknown>, token: string | undefined, status: number): void {
    this.log.push({ method, params, token, at: Date.now(), status });
  }

  #nextTs(): string {
    this.#ts += 100;
    const digits = String(this.#ts);
    return `${digits.slice(0, 10)}.${digits.slice(10)}`;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseParams(contentType: string | undefined, body: string): Record<string, unknown> {
  if ((contentType ?? '').startsWith('application/json')) return safeJson(body);
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    params[key] = JSON_PARAMS.has(key) ? safeJsonValue(value) : value;
  }
  return params;
}

function safeJson(text: string): Record<string, unknown> {
  const value = safeJsonValue(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function safeJsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
