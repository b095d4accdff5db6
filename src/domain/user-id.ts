// Who a chat user is, qualified by their platform (docs/configuration.md#people): a Slack id,
// a DingTalk staff id and a console name never compare equal across platforms. Adapters
// qualify at their boundary; everything inside (records, approvals, audit, locks) keeps the
// qualified form.

export const PLATFORMS = ['slack', 'dingtalk', 'console'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** `slack:U01ALICE`, `dingtalk:0123456`, `console:alice`. */
export type UserId = `${Platform}:${string}`;

export function qualifyUserId(platform: Platform, nativeId: string): UserId {
  return `${platform}:${nativeId}`;
}

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

/** The platform and native id of a qualified id; undefined for a bare (unqualified) one. */
export function parseUserId(id: string): { platform: Platform; nativeId: string } | undefined {
  const colon = id.indexOf(':');
  if (colon <= 0) return undefined;
  const platform = id.slice(0, colon);
  const nativeId = id.slice(colon + 1);
  if (!isPlatform(platform) || nativeId === '') return undefined;
  return { platform, nativeId };
}

/** The id as its platform knows it (a bare id, e.g. from a record written before ids were qualified, is returned as is). */
export function nativeIdOf(id: string): string {
  return parseUserId(id)?.nativeId ?? id;
}

/**
 * The platform a bare id most likely belongs to, for the `config check` hint. A guess from
 * the id's shape only: Slack user ids are `U…`/`W…` in upper-case letters and digits,
 * DingTalk staff ids are often all digits, anything else is taken for a console name.
 */
export function guessPlatformOf(bareId: string): Platform {
  if (/^[UW][A-Z0-9]{2,}$/.test(bareId)) return 'slack';
  if (/^\d+$/.test(bareId)) return 'dingtalk';
  return 'console';
}
