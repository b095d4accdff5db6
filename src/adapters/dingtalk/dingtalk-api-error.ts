// What a failed DingTalk call means for what to do next. The OpenAPI (api.dingtalk.com)
// answers an expired or revoked access token with HTTP 400 `InvalidAuthentication` (not 401),
// a QPS limit with HTTP 403 `Forbidden.AccessDenied.QpsLimitForApi` /
// `…QpsLimitForAppkeyAndApi`, the organisation's monthly call quota with HTTP 403
// `Forbidden.AccessDenied.ApiCountLimitForOrg`; a robot sending too much to one group gets
// errcode 130101 (throttled for 10 minutes); a one-to-one send answers HTTP 200 with the
// users it did not reach (`flowControlledStaffIdList`, `invalidStaffIdList`).
// See docs/dingtalk.md ("When DingTalk says no").
import { DeploybotError } from '../../core/errors.ts';

/**
 * Which limit was hit: `conversation` (errcode 130101: this robot in this group), `user`
 * (a 1:1 recipient is flow-controlled), `qps` (per API and app, a second or so), `quota`
 * (the organisation's monthly OpenAPI calls).
 */
export type DingTalkThrottle = 'conversation' | 'user' | 'qps' | 'quota';

export type DingTalkFailure =
  | { kind: 'invalid-token' }
  | { kind: 'throttled'; throttle: DingTalkThrottle }
  | { kind: 'undelivered' }
  | { kind: 'other' };

/** Pure: an HTTP status and DingTalk's code (`code`, or a webhook's `errcode`) → what it means. */
export function classifyDingTalkFailure(status: number, code: string): DingTalkFailure {
  if (code === 'InvalidAuthentication' || status === 401) return { kind: 'invalid-token' };
  if (code === '130101') return { kind: 'throttled', throttle: 'conversation' };
  if (code === 'flowControlledStaffIdList') return { kind: 'throttled', throttle: 'user' };
  if (code === 'invalidStaffIdList') return { kind: 'undelivered' };
  if (/ApiCountLimit/i.test(code)) return { kind: 'throttled', throttle: 'quota' };
  if (/QpsLimit/i.test(code) || status === 429) return { kind: 'throttled', throttle: 'qps' };
  return { kind: 'other' };
}

export class DingTalkApiError extends DeploybotError {
  readonly failure: DingTalkFailure;

  constructor(
    readonly api: string,
    readonly status: number,
    /** DingTalk's code (`InvalidAuthentication`, errcode `130101`, …). */
    readonly dingtalkCode: string,
    message: string,
  ) {
    super('dingtalk_api_error', `DingTalk ${api} failed (${status} ${dingtalkCode}): ${message}`);
    this.name = 'DingTalkApiError';
    this.failure = classifyDingTalkFailure(status, dingtalkCode);
  }

  /** Some limit was hit: waiting helps. */
  get throttled(): boolean {
    return this.failure.kind === 'throttled';
  }

  get throttle(): DingTalkThrottle | undefined {
    return this.failure.kind === 'throttled' ? this.failure.throttle : undefined;
  }

  /** The access token is expired or revoked: fetch another. */
  get invalidToken(): boolean {
    return this.failure.kind === 'invalid-token';
  }
}
