// Signed page links: a token is good for its scope until its expiry, and for nothing else.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INDEX_SCOPE, LINK_LIFETIME_SECONDS, pageLinks, pageTokenValid, signPageToken } from '../../src/core/page-link.ts';
import { Secret } from '../../src/core/secret.ts';

const secret = new Secret('a-long-enough-web-secret-for-tests', 'DEPLOYBOT_WEB_SECRET');
const NOW = 1_800_000_000;

describe('page tokens', () => {
  it('a token is <expiry>.<hex of HMAC-SHA256 over "<scope>:<expiry>">', () => {
    const hex = createHmac('sha256', secret.reveal()).update(`d-20261201-0001:${NOW + 60}`).digest('hex');
    expect(signPageToken(secret, 'd-20261201-0001', NOW + 60)).toBe(`${NOW + 60}.${hex}`);
  });

  it('when the token expired, names another scope, or was signed with another secret, then it is not valid', () => {
    const token = signPageToken(secret, 'd-20261201-0001', NOW + 60);
    expect(pageTokenValid(secret, 'd-20261201-0001', token, NOW)).toBe(true);
    expect(pageTokenValid(secret, 'd-20261201-0001', token, NOW + 60)).toBe(false);
    expect(pageTokenValid(secret, 'd-20261201-0002', token, NOW)).toBe(false);
    expect(pageTokenValid(secret, INDEX_SCOPE, token, NOW)).toBe(false);
    expect(pageTokenValid(new Secret('another-secret-entirely-here', 'x'), 'd-20261201-0001', token, NOW)).toBe(false);
    for (const bad of [undefined, null, '', 'x', `${NOW + 60}`, `${NOW + 60}.`, token.toUpperCase(), `${NOW + 999}.${token.split('.')[1]}`]) {
      expect(pageTokenValid(secret, 'd-20261201-0001', bad, NOW)).toBe(false);
    }
  });

  it('for any scope and any one changed character, then the signed token is valid and the changed one is not', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.nat(), fc.integer({ min: 0, max: 200 }), (scope, where, ahead) => {
        const token = signPageToken(secret, scope, NOW + 1 + ahead);
        expect(pageTokenValid(secret, scope, token, NOW)).toBe(true);
        const i = where % token.length;
        const swapped = token[i] === '0' ? '1' : '0';
        const tampered = `${token.slice(0, i)}${swapped}${token.slice(i + 1)}`;
        // a changed expiry digit may still be a later, equally unsigned expiry: never valid
        expect(pageTokenValid(secret, scope, tampered, NOW)).toBe(false);
      }),
    );
  });

  it('links carry a token valid for 7 days from when the deploy was created, the same on every render', () => {
    let clock = new Date(NOW * 1000);
    const links = pageLinks('https://bot.example/', secret, () => clock);
    const created = new Date((NOW - 100) * 1000);
    const first = links.deploy('d-20261201-0001', created);
    clock = new Date((NOW + 30) * 1000);
    expect(links.deploy('d-20261201-0001', created)).toBe(first);
    const url = new URL(first);
    expect(url.origin + url.pathname).toBe('https://bot.example/deploys/d-20261201-0001');
    expect(url.searchParams.get('t')!.split('.')[0]).toBe(String(NOW - 100 + LINK_LIFETIME_SECONDS));
    const index = new URL(links.index({ project: 'mala-core' }));
    expect(index.pathname).toBe('/deploys');
    expect(index.searchParams.get('project')).toBe('mala-core');
    expect(pageTokenValid(secret, INDEX_SCOPE, index.searchParams.get('t'), NOW)).toBe(true);
  });
});
