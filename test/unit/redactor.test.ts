// The redactor as an attacker would probe it: secrets written raw, JSON-escaped, base64 at
// any alignment (both alphabets) and hex, inside random text, cut into random chunks.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.ts';
import { createRedactor, REDACTED } from '../../src/core/redactor.ts';
import { redactUrlCredentials } from '../../src/core/redact-url-credentials.ts';
import { Secret } from '../../src/core/secret.ts';
import { StreamRedactor } from '../../src/core/stream-redactor.ts';

type Encoding = 'raw' | 'json' | 'base64' | 'base64url' | 'hex' | 'HEX';
const ENCODINGS: Encoding[] = ['raw', 'json', 'base64', 'base64url', 'hex', 'HEX'];

/** How a leaky hook would print `secret` (base64 inside a longer stream, with `before`/`after` bytes around it). */
function encode(secret: string, encoding: Encoding, before: Buffer, after: Buffer): string {
  const bytes = Buffer.from(secret, 'utf8');
  if (encoding === 'raw') return secret;
  if (encoding === 'json') return JSON.stringify(secret).slice(1, -1);
  if (encoding === 'hex') return bytes.toString('hex');
  if (encoding === 'HEX') return bytes.toString('hex').toUpperCase();
  return Buffer.concat([before, bytes, after]).toString(encoding);
}

/**
 * What must never show for one printed secret, worked out independently of the redactor:
 * for base64, the characters that stay the same when every neighbouring byte is flipped
 * are exactly those that depend on the secret alone.
 */
function mustNotShow(secret: string, encoding: Encoding, before: Buffer, after: Buffer): string[] {
  if (encoding !== 'base64' && encoding !== 'base64url') return [encode(secret, encoding, before, after)];
  const flip = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0xff));
  const one = encode(secret, encoding, before, after);
  const other = encode(secret, encoding, flip(before), flip(after));
  let core = '';
  for (let i = 0; i < one.length; i += 1) if (one[i] === other[i] && one[i] !== '=') core += one[i];
  return core.length >= 4 ? [core] : [];
}

function splitAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const point of points) {
    pieces.push(text.slice(from, point));
    from = point;
  }
  pieces.push(text.slice(from));
  return pieces;
}

function streamed(redactor: ReturnType<typeof createRedactor>, pieces: Array<string | Buffer>): string {
  const stream = new StreamRedactor(redactor);
  return pieces.map((piece) => stream.push(piece)).join('') + stream.end();
}

const secretArb = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', minLength: 4, maxLength: 48 }),
  fc.string({ unit: 'grapheme', minLength: 4, maxLength: 24 }),
  fc.uint8Array({ minLength: 8, maxLength: 32 }).map((b) => `xoxb-${Buffer.from(b).toString('hex')}`),
).filter((s) => s.trim().length >= 4 && !s.includes('@'));
const textArb = fc.string({ unit: 'grapheme', maxLength: 80 });
const bytesArb = fc.uint8Array({ maxLength: 5 }).map((b) => Buffer.from(b));
const printedArb = fc.record({ encoding: fc.constantFrom(...ENCODINGS), before: bytesArb, after: bytesArb, lead: textArb, trail: textArb });

describe('redactor', () => {
  it('when secrets are printed in any form inside random text and cut into random chunks, then no form of any secret is left', () => {
    fc.assert(
      fc.property(fc.array(secretArb, { minLength: 1, maxLength: 3 }), fc.array(printedArb, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (secrets, printed, cuts, asBytes) => {
        const redactor = createRedactor(secrets);
        let text = '';
        const forbidden: string[] = [];
        printed.forEach((p, i) => {
          const secret = secrets[i % secrets.length]!;
          text += p.lead + encode(secret, p.encoding, p.before, p.after) + p.trail;
          forbidden.push(...mustNotShow(secret, p.encoding, p.before, p.after));
        });
        const whole = redactor.redact(text);
        const pieces = asBytes ? splitAt(text, cuts).map((s) => Buffer.from(s)) : splitAt(text, cuts);
        // byte chunks may cut a UTF-8 character in two: split the bytes, not the string
        const chunks = asBytes ? splitBuffer(Buffer.from(text), cuts) : pieces;
        const inChunks = streamed(redactor, chunks);
        for (const form of forbidden) {
          expect(whole).not.toContain(form);
          expect(inChunks).not.toContain(form);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('when text holds no secret, then it passes unchanged, whole or in chunks', () => {
    fc.assert(
      fc.property(fc.array(secretArb, { maxLength: 3 }), fc.string({ unit: 'grapheme', maxLength: 300 }).filter((t) => !t.includes('@')), fc.array(fc.nat(), { maxLength: 6 }), (secrets, text, cuts) => {
        const redactor = createRedactor(secrets);
        fc.pre(!redactor.forms.some((form) => text.includes(form)));
        expect(redactor.redact(text)).toBe(text);
        expect(streamed(redactor, splitAt(text, cuts))).toBe(text);
        expect(streamed(redactor, splitBuffer(Buffer.from(text), cuts))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('when ordinary build output, hashes and base64 of other data are shown, then nothing is redacted', () => {
    const redactor = createRedactor([`xoxb-${randomBytes(16).toString('hex')}`, randomBytes(24).toString('base64'), new Secret(deployKey(), 'key deploy')]);
    const text = [
      '> mala-core@1.3.0 build',
      'npm WARN deprecated inflight@1.0.6: This module is not supported',
      `commit ${randomBytes(20).toString('hex')} sha256 ${randomBytes(32).toString('hex').toUpperCase()}`,
      `payload ${randomBytes(90).toString('base64')} ${randomBytes(40).toString('base64url')}`,
      '{"level":"info","msg":"restarting \\"svc\\" in /data/prod/mala-core","at":"2026-12-01T10:00:00Z"}',
      'Der Dienst wurde neu gestartet — 服务已重启 ✓',
    ].join('\n');
    expect(redactor.redact(text)).toBe(text);
  });

  it('when a multi-line key leaks whole, one body line, or base64 of the whole key, then each is redacted', () => {
    const key = deployKey();
    const redactor = createRedactor([new Secret(key, 'key deploy')]);
    const body = key.split('\n').filter((line) => line.length >= 8 && !line.startsWith('-----'));
    expect(body.length).toBeGreaterThan(1);
    for (const leak of [key, body[1]!, Buffer.from(key).toString('base64'), JSON.stringify(key)]) {
      const out = redactor.redact(`cat says: ${leak} (end)`);
      expect(out).toContain(REDACTED);
      for (const line of body) expect(out).not.toContain(line);
    }
    expect(redactor.redact('-----BEGIN OPENSSH PRIVATE KEY-----')).toBe('-----BEGIN OPENSSH PRIVATE KEY-----');
  });

  it('when a secret is shorter than 4 characters, then it is not redacted but reported by its label; 4 characters are redacted', () => {
    const redactor = createRedactor([{ label: 'METRICS_TOKEN', value: 'abc' }, { label: 'GIT_HOOK_SECRET', value: 'wxyz' }, { label: 'EMPTY', value: '' }]);
    expect(redactor.tooShort).toEqual(['METRICS_TOKEN']);
    expect(redactor.redact('abc then wxyz')).toBe(`abc then ${REDACTED}`);
    expect(redactor.redact('a cabinet')).toBe('a cabinet');
  });

  it('when two forms overlap, then the whole run is redacted once', () => {
    const redactor = createRedactor(['abcdefgh', 'efghijkl']);
    expect(redactor.redact('x abcdefghijkl y')).toBe(`x ${REDACTED} y`);
  });
});

describe('URL credentials', () => {
  it('when a URL carries userinfo, then it shows as *** wherever it is, and URLs without it are untouched', () => {
    expect(redactUrlCredentials('cannot fetch https://user:tok@127.0.0.1:1/x.git: refused')).toBe('cannot fetch https://***@127.0.0.1:1/x.git: refused');
    expect(redactUrlCredentials('fatal: unable to access \'https://ghp_abc123@github.com/o/r.git/\'')).toBe('fatal: unable to access \'https://***@github.com/o/r.git/\'');
    expect(redactUrlCredentials('https://us%40er:p@ss@host/x and ssh://git@host/y')).toBe('https://***@host/x and ssh://***@host/y');
    expect(redactUrlCredentials('see https://git.example.com/x.git or mail ops@example.com')).toBe('see https://git.example.com/x.git or mail ops@example.com');
    expect(redactUrlCredentials('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
  });

  it('when a URL with credentials arrives split across chunks, then the stream still masks it', () => {
    const redactor = createRedactor([]);
    const text = 'remote: https://deploy:s3cr3t-token@git.example.com/x.git denied\n';
    for (let cut = 0; cut <= text.length; cut += 1) {
      for (let second = cut; second <= text.length; second += 7) {
        const out = streamed(redactor, [text.slice(0, cut), text.slice(cut, second), text.slice(second)]);
        expect(out).toBe('remote: https://***@git.example.com/x.git denied\n');
      }
    }
  });
});

describe('logger redaction', () => {
  it('when a secret with quotes and backslashes is logged in a message, a field, an error and a key, then no form reaches the line', () => {
    const secret = `t"ok\\en-${randomBytes(6).toString('hex')}`;
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', redactor: createRedactor([secret]), write: (line) => lines.push(line) });
    logger.error(`failed with ${secret}`, { output: [`a ${secret} b`], error: new Error(`boom ${secret}`), [secret]: 1, b64: Buffer.from(secret).toString('base64') });
    const text = lines.join('\n');
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64').slice(0, 12)]) expect(text).not.toContain(form);
    expect(JSON.parse(lines[0]!).msg).toBe(`failed with ${REDACTED}`);
  });
});

function splitBuffer(buffer: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buffer.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    pieces.push(buffer.subarray(from, point));
    from = point;
  }
  pieces.push(buffer.subarray(from));
  return pieces;
}

function deployKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}
