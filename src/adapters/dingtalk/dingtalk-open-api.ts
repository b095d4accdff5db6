// The few DingTalk HTTP APIs deploybot uses: the app access token, robot group and 1:1
// sends, interactive cards (create, deliver, update), and a message's session webhook.
// The base URL is injectable so tests talk to a local fake. Errors name the API and
// DingTalk's code, never the token or a webhook URL. An answer of HTTP 200 is read for what
// it did not do: a 1:1 send's `flowControlledStaffIdList` / `invalidStaffIdList` become
// errors, a card delivery's `result[]` entries with `success: false` are returned.
import type { Clock } from '../../notify/clock.ts';
import { systemClock } from '../../notify/clock.ts';
import type { Secret } from '../../core/secret.ts';
import { AccessTokenCache } from './access-token-cache.ts';
import { DingTalkApiError } from './dingtalk-api-error.ts';

export const DINGTALK_OPENAPI_URL = 'https://api.dingtalk.com';

/** A robot message body as the session webhook takes it. */
export type RobotPayload =
  | { msgtype: 'text'; text: { content: string }; at?: { atUserIds: string[] } }
  | { msgtype: 'markdown'; markdown: { title: string; text: string }; at?: { atUserIds: string[] } };

export interface DingTalkOpenApiOptions {
  /** @defaultValue https://api.dingtalk.com */
  baseUrl?: string;
  clientId: string;
  clientSecret: Secret;
  /** @defaultValue clientId (an internal app's robot code is its app key) */
  robotCode?: string;
  clock?: Clock;
  /** Per request. @defaultValue 10000 */
  timeoutMs?: number;
}

export interface CardDelivery {
  outTrackId: string;
  templateId: string;
  /** cardParamMap: every value a string. */
  params: Record<string, string>;
  conversationId: string;
  /** '1' one-to-one (delivered to `userId`), '2' group. */
  conversationType: string;
  userId?: string | undefined;
}

/** A target a card was not delivered to (`result[]` of the deliver answer with `success: false`). */
export interface UndeliveredSpace {
  spaceType: string;
  spaceId: string;
  errorMsg: string;
}

export class DingTalkOpenApi {
  readonly robotCode: string;
  readonly #baseUrl: string;
  readonly #token: AccessTokenCache;
  readonly #timeoutMs: number;

  constructor(private readonly options: DingTalkOpenApiOptions) {
    this.#baseUrl = (options.baseUrl ?? DINGTALK_OPENAPI_URL).replace(/\/+$/, '');
    this.robotCode = options.robotCode ?? options.clientId;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#token = new AccessTokenCache(() => this.#fetchToken(), options.clock ?? systemClock);
  }

  /** `POST /v1.0/robot/groupMessages/send` */
  async sendToGroup(conversationId: string, payload: RobotPayload): Promise<void> {
    await this.#call('robot group send', 'POST', '/v1.0/robot/groupMessages/send', {
      robotCode: this.robotCode,
      openConversationId: conversationId,
      ...toTemplate(payload),
    });
  }

  /** `POST /v1.0/robot/oToMessages/batchSend`: the robot's 1:1 chat with a user. */
  async sendToUser(userId: string, payload: RobotPayload): Promise<void> {
    const answer = await this.#call('robot 1:1 send', 'POST', '/v1.0/robot/oToMessages/batchSend', {
      robotCode: this.robotCode,
      userIds: [userId],
      ...toTemplate(payload),
    }) as { flowControlledStaffIdList?: unknown; invalidStaffIdList?: unknown };
    if (listed(answer.flowControlledStaffIdList, userId)) {
      throw new DingTalkApiError('robot 1:1 send', 200, 'flowControlledStaffIdList', 'the user gets too many messages from this robot and is flow-controlled');
    }
    if (listed(answer.invalidStaffIdList, userId)) {
      throw new DingTalkApiError('robot 1:1 send', 200, 'invalidStaffIdList', 'the user is not in the organisation or cannot see the app');
    }
  }

  /** A message's `sessionWebhook` (answers HTTP 200 with `{errcode, errmsg}`). */
  async postToSessionWebhook(webhook: string, payload: RobotPayload): Promise<void> {
    const response = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const body = (await response.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
    if (!response.ok || (body.errcode !== undefined && body.errcode !== 0)) {
      throw new DingTalkApiError('session webhook', response.status, String(body.errcode ?? response.status), body.errmsg ?? response.statusText);
    }
  }

  /**
   * Creates an interactive card whose button clicks come back over Stream (TOPIC_CARD), and
   * delivers it; returns the targets it was not delivered to (empty when it was).
   */
  async createAndDeliverCard(card: CardDelivery): Promise<UndeliveredSpace[]> {
    const created = await this.#call('card create', 'POST', '/v1.0/card/instances', {
      cardTemplateId: card.templateId,
      outTrackId: card.outTrackId,
      cardData: { cardParamMap: card.params },
      callbackType: 'STREAM',
      imGroupOpenSpaceModel: { supportForward: false },
      imRobotOpenSpaceModel: { supportForward: false },
    }) as { success?: unknown };
    if (created.success === false) throw new DingTalkApiError('card create', 200, 'success=false', 'the card instance was not created');
    const oneToOne = card.conversationType === '1' && card.userId !== undefined;
    const openSpaceId = oneToOne ? `dtv1.card//IM_ROBOT.${card.userId}` : `dtv1.card//IM_GROUP.${card.conversationId}`;
    const delivered = await this.#call('card deliver', 'POST', '/v1.0/card/instances/deliver', oneToOne
      ? { outTrackId: card.outTrackId, userIdType: 1, openSpaceId: `dtv1.card//IM_ROBOT.${card.userId}`, imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' } }
      : { outTrackId: card.outTrackId, userIdType: 1, openSpaceId: `dtv1.card//IM_GROUP.${card.conversationId}`, imGroupOpenDeliverModel: { robotCode: this.robotCode } }) as { success?: unknown; result?: unknown };
    const results = Array.isArray(delivered.result) ? (delivered.result as Array<Record<string, unknown>>) : [];
    const failed = results
      .filter((entry) => entry !== null && typeof entry === 'object' && entry.success === false)
      .map((entry) => ({ spaceType: String(entry.spaceType ?? ''), spaceId: String(entry.spaceId ?? ''), errorMsg: String(entry.errorMsg ?? 'not delivered') }));
    if (failed.length === 0 && delivered.success === false) return [{ spaceType: oneToOne ? 'IM_ROBOT' : 'IM_GROUP', spaceId: openSpaceId, errorMsg: 'success=false' }];
    return failed;
  }

  /** `PUT /v1.0/card/instances`: a card, unlike a robot message, can be edited in place. */
  async updateCard(outTrackId: string, params: Record<string, string>): Promise<void> {
    const answer = await this.#call('card update', 'PUT', '/v1.0/card/instances', {
      outTrackId,
      cardData: { cardParamMap: params },
      cardUpdateOptions: { updateCardDataByKey: true },
    }) as { success?: unknown };
    if (answer.success === false) throw new DingTalkApiError('card update', 200, 'success=false', 'the card was not updated');
  }

  async #fetchToken(): Promise<{ token: string; expiresInSeconds: number }> {
    const body = await this.#request('access token', 'POST', '/v1.0/oauth2/accessToken', {
      appKey: this.options.clientId,
      appSecret: this.options.clientSecret.reveal(),
    }, undefined) as { accessToken?: unknown; expireIn?: unknown };
    if (typeof body.accessToken !== 'string' || body.accessToken === '') {
      throw new DingTalkApiError('access token', 200, 'NoToken', 'the answer carried no accessToken');
    }
    return { token: body.accessToken, expiresInSeconds: typeof body.expireIn === 'number' ? body.expireIn : 7200 };
  }

  /**
   * An authenticated call. An expired or revoked token (`InvalidAuthentication`, which the
   * OpenAPI answers with HTTP 400, at any status) is dropped, fetched anew, and the call made once more.
   */
  async #call(api: string, method: string, path: string, body: unknown): Promise<unknown> {
    const token = await this.#token.get();
    try {
      return await this.#request(api, method, path, body, token);
    } catch (error) {
      if (!(error instanceof DingTalkApiError) || !error.invalidToken) throw error;
      this.#token.reset(token);
      return this.#request(api, method, path, body, await this.#token.get());
    }
  }

  async #request(api: string, method: string, path: string, body: unknown, token: string | undefined): Promise<unknown> {
    const response = await fetch(`${this.#baseUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(token ? { 'x-acs-dingtalk-access-token': token } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const answer = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    if (!response.ok) throw new DingTalkApiError(api, response.status, answer.code ?? String(response.status), answer.message ?? response.statusText);
    return answer;
  }
}

function listed(list: unknown, id: string): boolean {
  return Array.isArray(list) && list.includes(id);
}

/** Session-webhook payload → the OpenAPI's message template (`msgKey` + JSON-string `msgParam`). */
function toTemplate(payload: RobotPayload): { msgKey: string; msgParam: string } {
  if (payload.msgtype === 'text') return { msgKey: 'sampleText', msgParam: JSON.stringify({ content: payload.text.content }) };
  return { msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: payload.markdown.title, text: payload.markdown.text }) };
}
