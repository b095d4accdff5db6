// `X-Deploybot-Signature: sha256=<hex>` where hex = HMAC-SHA256(secret, raw body), compared
// in constant time (SPEC §8). Anything malformed is simply "not valid".
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../core/secret.ts';

export const UPLOAD_SIGNATURE_HEADER = 'x-deploybot-signature';

export function signBody(secret: Secret | string, body: Buffer | string): string {
  const key = typeof secret === 'string' ? secret : secret.reveal();
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

export function verifyHmacSignature(secret: Secret, body: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return false;
  const expected = createHmac('sha256', secret.reveal()).update(body).digest();
  const given = Buffer.from(match[1] as string, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
