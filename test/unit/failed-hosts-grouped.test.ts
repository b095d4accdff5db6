import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderSlackMessage } from '../../src/adapters/slack/render-slack-message.ts';
import { causeWithoutHost, groupByCause } from '../../src/domain/group-by-cause.ts';
import type { FailedHostView } from '../../src/notify/deploy-view-types.ts';
import { fitFailedHosts } from '../../src/notify/render-progress.ts';
import { blockKitProblems } from '../support/block-kit-limits.ts';

const name = (i: number) => `h${String(i).padStart(4, '0')}`;
const failed = (host: string, message: string, step: FailedHostView['step'] = 'beforeDeploy'): FailedHostView => ({
  host,
  step,
  error: { code: 'hook_failed', message: `${host}: ${message}` },
  outputTail: ['npm ERR! missing script: migrate'],
});

describe('failed hosts grouped by cause', () => {
  it('when 1 000 hosts fail alike, then the message has one grouped line with the count, the cause and a few names, within Block Kit limits', () => {
    const hosts = Array.from({ length: 1000 }, (_, i) => failed(name(i + 1), 'beforeDeploy hook exited with 1'));
    const lines = fitFailedHosts(hosts, 3000, 5);
    expect(lines[0]).toBe('failed hosts (1000):');
    expect(lines[1]).toBe('• 1000 hosts (beforeDeploy) h0001, h0002, h0003 and 997 more: beforeDeploy hook exited with 1');
    expect(lines.slice(2)).toEqual(['    h0001: npm ERR! missing script: migrate']);
    const payload = renderSlackMessage({ text: 'd-20261121-0001 · deploy mala-core → brazil (production) v1.3', lines: ['❌ switch 0/1000 ✓ 1000 ✗', ...lines] });
    expect(blockKitProblems(payload)).toEqual([]);
  });

  it('when hosts fail in two ways and one alone, then each cause is one entry, largest first, and a lone host keeps its own line', () => {
    const hosts = [
      failed('a1', 'a1 (10.0.0.1:22): connection refused', 'distribute'),
      failed('b1', 'beforeDeploy hook exited with 2'),
      failed('a2', 'a2 (10.0.0.2:22): connection refused', 'distribute'),
      failed('a3', 'a3 (10.0.0.3:22): connection refused', 'distribute'),
      failed('c1', 'disk full on c1', 'distribute'),
    ];
    const lines = fitFailedHosts(hosts, 3000, 0);
    expect(lines).toEqual([
      'failed hosts (5):',
      '• 3 hosts (distribute) a1, a2, a3: connection refused',
      '• b1 (beforeDeploy): beforeDeploy hook exited with 2',
      '• c1 (distribute): disk full on c1',
    ]);
  });

  it('for any failures, then every host is in exactly one group, groups are largest first, and members share their cause', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ host: fc.integer({ min: 1, max: 60 }), cause: fc.constantFrom('exited 1', 'exited 2', 'timed out', 'connection refused') }), { maxLength: 200 }), (raw) => {
        const items = raw.map((r, i) => ({ host: `${name(r.host)}-${i}`, cause: r.cause }));
        const groups = groupByCause(items, (item) => item.cause);
        expect(groups.flatMap((g) => g.members).length).toBe(items.length);
        expect(new Set(groups.flatMap((g) => g.members)).size).toBe(items.length);
        for (const g of groups) for (const m of g.members) expect(m.cause).toBe(g.cause);
        for (let i = 1; i < groups.length; i += 1) expect(groups[i - 1]!.members.length).toBeGreaterThanOrEqual(groups[i]!.members.length);
      }),
    );
  });

  it('takes the host out of its message, so hosts that failed alike read alike', () => {
    expect(causeWithoutHost('br-3 (10.0.0.3:22): connection refused', 'br-3')).toBe('connection refused');
    expect(causeWithoutHost('br-3: afterDeploy hook exited with 3', 'br-3')).toBe('afterDeploy hook exited with 3');
    expect(causeWithoutHost('cannot write /data/br-3/x', 'br-3')).toBe('cannot write /data/<host>/x');
  });
});
