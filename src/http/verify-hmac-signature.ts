// `X-Deploybot-Signature: sha256=<hex>` where hex = HMAC-SHA256(secret, raw body), compared
// in constant time (docs/reference/messages.md). Anything malformed is simply "not valid".
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../core/secret.ts';

export const UPLOAD_SIGNATURE_HEADER = 'x-deploybot-signature';

export function signBody(secret: Secret | string, body: Buffer | string): string {
  const key = typeof secret === 'string' ? secret : secret.reveal();
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

/**
 * The signature in lowercase hex when `header` is a valid one for `body`, else undefined.
 * One body has one such value however the header spells it (hex case, spaces), so it is
 * what replays are recognised by.
 */
export function acceptedSignature(secret: Secret, body: Buffer, header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return undefined;
  const expected = createHmac('sha256', secret.reveal()).update(body).digest();
  const given = Buffer.from(match[1] as string, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? expected.toString('hex') : undefined;
}
