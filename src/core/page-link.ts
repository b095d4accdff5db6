// Signed, expiring links to the deploy pages (docs/deploy-page.md, "Links"): `t=<expiry>.<hex>`
// where hex is HMAC-SHA256 of `<scope>:<expiry>` keyed with DEPLOYBOT_WEB_SECRET; the scope
// is a deploy id for its page and `index` for the list. Checked in constant time. No I/O:
// the time is handed in.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from './secret.ts';

/** The scope of the `GET /deploys` list's token. */
export const INDEX_SCOPE = 'index';
/** How long a posted link works. */
export const LINK_LIFETIME_SECONDS = 7 * 24 * 3600;

export function signPageToken(secret: Secret, scope: string, expiresAtSeconds: number): string {
  const expiry = Math.floor(expiresAtSeconds);
  return `${expiry}.${mac(secret, scope, expiry).toString('hex')}`;
}

/** Whether `token` was signed for `scope` and has not expired at `nowSeconds`. Anything malformed is not valid. */
export function pageTokenValid(secret: Secret, scope: string, token: string | null | undefined, nowSeconds: number): boolean {
  if (typeof token !== 'string') return false;
  const match = /^(\d{1,12})\.([0-9a-f]{64})$/.exec(token);
  if (!match) return false;
  const expiry = Number(match[1]);
  const expected = mac(secret, scope, expiry);
  const given = Buffer.from(match[2]!, 'hex');
  const genuine = given.length === expected.length && timingSafeEqual(given, expected);
  return genuine && expiry > nowSeconds;
}

/** Builds the page links for one base URL (`DEPLOYBOT_WEB_URL`, else the HTTP surface's own). */
export interface PageLinks {
  /**
   * `issuedAt` (the deploy's creation) fixes the expiry, so every render of one deploy's
   * messages carries the same link and an unchanged message is not edited again.
   */
  deploy(deployId: string, issuedAt?: Date): string;
  index(filters?: Record<string, string>): string;
}

export function pageLinks(baseUrl: string, secret: Secret, now: () => Date = () => new Date()): PageLinks {
  const base = baseUrl.replace(/\/+$/, '');
  const expiry = (from: Date = now()) => Math.floor(from.getTime() / 1000) + LINK_LIFETIME_SECONDS;
  return {
    deploy: (deployId, issuedAt) => `${base}/deploys/${encodeURIComponent(deployId)}?t=${signPageToken(secret, deployId, expiry(issuedAt))}`,
    index: (filters = {}) => {
      const query = new URLSearchParams({ ...filters, t: signPageToken(secret, INDEX_SCOPE, expiry()) });
      return `${base}/deploys?${query.toString()}`;
    },
  };
}

function mac(secret: Secret, scope: string, expiry: number): Buffer {
  return createHmac('sha256', secret.reveal()).update(`${scope}:${expiry}`).digest();
}
