import { describe, expect, it } from 'vitest';
import { closestNames } from '../../src/domain/closest-names.ts';
import { refProblem } from '../../src/domain/ref-rules.ts';
import { limitConcurrency } from '../../src/deploy/limit-concurrency.ts';
import { OutputTail } from '../../src/deploy/output-tail.ts';
import { runPool } from '../../src/deploy/run-pool.ts';
import { blobKeyType, fingerprint, hostKeyMismatch, parsePinnedHostKey } from '../../src/deploy/transports/pinned-host-key.ts';
import { createRedactor } from '../../src/core/redactor.ts';
import { Secret } from '../../src/core/secret.ts';

describe('ref syntax', () => {
  it('when a ref is a tag, branch or sha, then it is accepted', () => {
    for (const ref of ['v1.3', 'feature/x', 'release-2026_11', 'abc1234']) expect(refProblem(ref)).toBeUndefined();
  });
  it('when a ref could be shell or option syntax, then it is refused', () => {
    for (const ref of ['v1;touch /tmp/x', '$(id)', '-rf', '--upload-pack=x', 'a..b', 'a b', '', 'x/', 'a//b', 'v1.lock']) expect(refProblem(ref)).toBeDefined();
  });
});

describe('closestNames', () => {
  it('when a tag is mistyped, then the nearest tags come first', () => {
    expect(closestNames('v1.4', ['v1.3', 'v2.0', 'v1.3.1', 'release'])).toEqual(['v1.3', 'v2.0', 'v1.3.1']);
  });
});

describe('OutputTail', () => {
  it('when output is long, then the last lines are kept whole and secrets are redacted', () => {
    const key = new Secret('-----BEGIN KEY-----\nAAAAsecretbodyline1\nBBBBsecretbodyline2\n-----END KEY-----\n', 'k');
    const tail = new OutputTail(createRedactor([key]), 100);
    for (let i = 0; i < 50; i += 1) tail.push(`line ${i}\n`);
    tail.push('leak AAAAsecretbodyline1 here\n');
    const lines = tail.lines(3);
    expect(lines).toEqual(['line 48', 'line 49', 'leak [redacted] here']);
  });
});

describe('runPool', () => {
  it('when limited, then no more than the limit run at once, and a stop leaves the rest unstarted', async () => {
    let running = 0;
    let peak = 0;
    let started = 0;
    const { results, notStarted } = await runPool([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started += 1;
      running += 1;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running -= 1;
      return n * 2;
    }, () => started < 4);
    expect(peak).toBe(2);
    expect([...results.values()]).toEqual([2, 4, 6, 8]);
    expect(notStarted).toEqual([5, 6]);
  });

  it('when limitConcurrency wraps calls, then at most the limit are in flight', async () => {
    const limit = limitConcurrency(2);
    let running = 0;
    let peak = 0;
    const all = [1, 2, 3, 4, 5].map((n) => limit(async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => setImmediate(resolve));
      running -= 1;
      return n;
    }));
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });
});

describe('pinned host keys', () => {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
  const line = `ssh-ed25519 ${blob.toString('base64')}`;

  it('when a pinned line is parsed, then its type and blob agree', () => {
    expect(parsePinnedHostKey(line)).toEqual({ type: 'ssh-ed25519', blob });
    expect(blobKeyType(blob)).toBe('ssh-ed25519');
    expect(() => parsePinnedHostKey(`ssh-rsa ${blob.toString('base64')}`)).toThrow(/not a valid/);
  });

  it('when keys differ, then the error names both fingerprints and what to change', () => {
    const other = Buffer.concat([blob.subarray(0, 19), Buffer.alloc(32, 9)]);
    const error = hostKeyMismatch('br-1', '127.0.0.1:22', parsePinnedHostKey(line), other);
    expect(error.code).toBe('host_key_mismatch');
    expect(error.message).toContain(fingerprint(other));
    expect(error.message).toContain(fingerprint(blob));
    expect(error.message).toContain('hosts.br-1.hostKey');
  });
});
