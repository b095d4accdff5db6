// A local stand-in for the DingTalk OpenAPI (https://api.dingtalk.com) and for robot
// session webhooks (https://oapi.dingtalk.com/robot/sendBySession?session=…): the access
// token, robot group / 1:1 sends, interactive cards. Authenticated calls need header
// `x-acs-dingtalk-access-token` with a token it issued (else 401 InvalidAuthentication);
// webhooks answer `{errcode, errmsg}`. Every call is recorded.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './call-log.ts';

export type OpenApiName = 'accessToken' | 'groupSend' | 'oneToOneSend' | 'webhook' | 'cardCreate' | 'cardDeliver' | 'cardUpdate';

export interface OpenApiCall {
  api: OpenApiName;
  body: Record<string, unknown>;
  status: number;
  /** For webhooks: the `session` query parameter. */
  session?: string;
}

const ROUTES: Record<string, OpenApiName> = {
  'POST /v1.0/oauth2/accessToken': 'accessToken',
  'POST /v1.0/robot/groupMessages/send': 'groupSend',
  'POST /v1.0/robot/oToMessages/batchSend': 'oneToOneSend',
  'POST /v1.0/card/instances': 'cardCreate',
  'POST /v1.0/card/instances/deliver': 'cardDeliver',
  'PUT /v1.0/card/instances': 'cardUpdate',
  'POST /robot/sendBySession': 'webhook',
};

export class FakeDingTalkOpenApi {
  readonly log = new CallLog<OpenApiCall>();
  readonly #server: Server;
  readonly #tokens = new Set<string>();
  #port = 0;

  private constructor(private readonly credentials: { clientId: string; clientSecret: string }) {
    this.#server = createServer((req, res) => {
      this.#handle(req).then(
        ({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
  }

  static async start(credentials: { clientId: string; clientSecret: string }): Promise<FakeDingTalkOpenApi> {
    const fake = new FakeDingTalkOpenApi(credentials);
    fake.#server.listen(0, '127.0.0.1');
    await once(fake.#server, 'listening');
    fake.#port = (fake.#server.address() as AddressInfo).port;
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** A session webhook URL for a robot message. */
  sessionWebhook(session = randomBytes(8).toString('hex')): string {
    return `${this.baseUrl}/robot/sendBySession?session=${session}`;
  }

  calls(api: OpenApiName): OpenApiCall[] {
    return this.log.filter((call) => call.api === api);
  }

  waitFor(api: OpenApiName, count = 1, where: (call: OpenApiCall) => boolean = () => true): Promise<OpenApiCall[]> {
    return this.log.waitFor((call) => call.api === api && where(call), count, `DingTalk ${api}`);
  }

  /** Invalidates every issued token (as if they expired server-side). */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = ROUTES[`${req.method} ${url.pathname}`];
    if (!api) return { status: 404, body: { code: 'NotFound', message: `${req.method} ${url.pathname}` } };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const answer = (status: number, reply: unknown, extra: Partial<OpenApiCall> = {}) => {
      this.log.push({ api, body, status, ...extra });
      return { status, body: reply };
    };

    if (api === 'webhook') return answer(200, { errcode: 0, errmsg: 'ok' }, { session: url.searchParams.get('session') ?? '' });
    if (api === 'accessToken') {
      if (body.appKey !== this.credentials.clientId || body.appSecret !== this.credentials.clientSecret) {
        return answer(400, { code: 'invalidClientIdOrSecret', message: 'wrong appKey or appSecret' });
      }
      const token = `tok-${randomBytes(8).toString('hex')}`;
      this.#tokens.add(token);
      return answer(200, { accessToken: token, expireIn: 7200 });
    }
    const token = req.headers['x-acs-dingtalk-access-token'];
    if (typeof token !== 'string' || !this.#tokens.has(token)) {
      return answer(401, { code: 'InvalidAuthentication', message: 'access token is invalid or expired' });
    }
    switch (api) {
      case 'groupSend':
      case 'oneToOneSend':
        return answer(200, { processQueryKey: randomBytes(8).toString('hex'), ...(api === 'oneToOneSend' ? { invalidStaffIdList: [] } : {}) });
      case 'cardCreate':
        return answer(200, { success: true, result: body.outTrackId });
      case 'cardDeliver':
        return answer(200, { success: true, result: [{ spaceType: 'IM_GROUP', success: true }] });
      default:
        return answer(200, { success: true, result: true });
    }
  }
}
