// A local stand-in for the DingTalk OpenAPI (https://api.dingtalk.com) and for robot
// session webhooks (https://oapi.dingtalk.com/robot/sendBySession?session=…): the access
// token, robot group / 1:1 sends, interactive cards. It answers the way the real service
// does where it matters: a call without a valid `x-acs-dingtalk-access-token` (expired,
// revoked, never issued) gets HTTP 400 `{code: "InvalidAuthentication"}`; `throttle()` makes
// calls answer 403 `Forbidden.AccessDenied.QpsLimitForApi` or
// `Forbidden.AccessDenied.ApiCountLimitForOrg`, or a webhook errcode 130101; partial
// failures come on HTTP 200 (`undeliverCards()`: `result[].success: false` with `errorMsg`;
// `flowControlUsers()` / `invalidUsers()`: the 1:1 send's `flowControlledStaffIdList` /
// `invalidStaffIdList`). Webhooks answer `{errcode, errmsg}`. Every call is recorded.
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
  /** What it answered. */
  reply?: unknown;
}

/** `qps`: 403 QpsLimitForApi; `quota`: 403 ApiCountLimitForOrg (the monthly quota); `robot`: errcode 130101 (webhooks: HTTP 200). */
export type ThrottleAnswer = 'qps' | 'quota' | 'robot';

interface Scripted {
  api: OpenApiName;
  left: number;
  answer: (body: Record<string, unknown>) => { status: number; body: unknown };
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
  readonly #scripted: Scripted[] = [];
  readonly #flowControlled = new Map<string, number>();
  readonly #invalidUsers = new Set<string>();
  #undeliverCards = 0;
  #revokeWhen: ((call: OpenApiCall) => boolean) | undefined;
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

  /** Invalidates every issued token (as if they expired server-side or were revoked). */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  /** Revokes every issued token right after answering the first call that matches (a revocation at a known point of a run). */
  revokeTokensAfter(where: (call: OpenApiCall) => boolean): void {
    this.#revokeWhen = where;
  }

  /** The next `count` calls of `api` are throttled (with a valid token or not). */
  throttle(api: OpenApiName, answer: ThrottleAnswer, count = 1): void {
    const reply = (): { status: number; body: unknown } => {
      if (answer === 'robot') return api === 'webhook' ? { status: 200, body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } } : { status: 400, body: { code: '130101', message: 'send too fast' } };
      if (answer === 'quota') return { status: 403, body: { code: 'Forbidden.AccessDenied.ApiCountLimitForOrg', message: 'the organisation has used up its API calls for this month' } };
      return { status: 403, body: { code: 'Forbidden.AccessDenied.QpsLimitForApi', message: 'too many requests per second' } };
    };
    this.#scripted.push({ api, left: count, answer: reply });
  }

  /** The next `count` card deliveries answer HTTP 200 with the group target failed. */
  undeliverCards(count = 1): void {
    this.#undeliverCards += count;
  }

  /** The next `count` 1:1 sends to `userId` answer HTTP 200 listing it in `flowControlledStaffIdList`. */
  flowControlUsers(userId: string, count = 1): void {
    this.#flowControlled.set(userId, (this.#flowControlled.get(userId) ?? 0) + count);
  }

  /** 1:1 sends to `userId` answer HTTP 200 listing it in `invalidStaffIdList`. */
  invalidUsers(userId: string): void {
    this.#invalidUsers.add(userId);
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
    const session = api === 'webhook' ? { session: url.searchParams.get('session') ?? '' } : {};
    const answer = (status: number, reply: unknown) => {
      const call: OpenApiCall = { api, body, status, ...session, reply };
      this.log.push(call);
      if (this.#revokeWhen?.(call)) {
        this.#revokeWhen = undefined;
        this.revokeTokens();
      }
      return { status, body: reply };
    };

    const scripted = this.#scripted.find((entry) => entry.api === api && entry.left > 0);
    if (scripted) {
      scripted.left -= 1;
      const reply = scripted.answer(body);
      return answer(reply.status, reply.body);
    }
    if (api === 'webhook') return answer(200, { errcode: 0, errmsg: 'ok' });
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
      // The real OpenAPI answers an expired or revoked token with 400, not 401.
      return answer(400, { code: 'InvalidAuthentication', requestid: randomBytes(8).toString('hex'), message: '不合法的access_token' });
    }
    switch (api) {
      case 'groupSend':
        return answer(200, { processQueryKey: randomBytes(8).toString('hex') });
      case 'oneToOneSend': {
        const users = Array.isArray(body.userIds) ? (body.userIds as string[]) : [];
        const flowControlled = users.filter((user) => (this.#flowControlled.get(user) ?? 0) > 0);
        for (const user of flowControlled) this.#flowControlled.set(user, this.#flowControlled.get(user)! - 1);
        return answer(200, { processQueryKey: randomBytes(8).toString('hex'), invalidStaffIdList: users.filter((user) => this.#invalidUsers.has(user)), flowControlledStaffIdList: flowControlled });
      }
      case 'cardCreate':
        return answer(200, { success: true, result: body.outTrackId });
      case 'cardDeliver': {
        const spaceId = String(body.openSpaceId ?? '');
        const spaceType = spaceId.includes('IM_ROBOT') ? 'IM_ROBOT' : 'IM_GROUP';
        if (this.#undeliverCards > 0) {
          this.#undeliverCards -= 1;
          return answer(200, { success: true, result: [{ spaceType, spaceId, success: false, errorMsg: 'robot is not a member of the group', carrierId: '' }] });
        }
        return answer(200, { success: true, result: [{ spaceType, spaceId, success: true, carrierId: randomBytes(6).toString('hex') }] });
      }
      default:
        return answer(200, { success: true, result: true });
    }
  }
}
