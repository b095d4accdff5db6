import { describe, expect, it } from 'vitest';
import { sizeSpanReport } from '../../src/domain/size-span-report.ts';
import { MESSAGE_CHAR_LIMIT, messageLength } from '../../src/notify/message-text.ts';
import { renderSizeSpans } from '../../src/notify/render-size-spans.ts';
import { spanReport } from '../fixtures/notices.ts';

describe('renderSizeSpans', () => {
  it('lists each update package as from → to : size in decimal MB, flags the unusually large and notes an active gray', () => {
    const message = renderSizeSpans({ report: spanReport(), release: 'production', version: 'v1.3', deployId: 'd-20261121-0001' });
    expect(message.text).toBe('📦 update packages · mala-core brazil · production v1.3 · d-20261121-0001 — ⚠️ 1 unusually large');
    expect(message.lines).toEqual([
      'v1.1 → v1.3 : 24.8 MB',
      'v1.2 → v1.3 : 51.0 MB  ⚠️ 2.1× the usual 24.0 MB',
      'usual size: 24.0 MB (median of recent packages)',
      'ℹ️ note: gray v1.4 (d-20261120-0007) was active while these packages were built; check that no span starts or ends at the gray version',
    ]);
  });

  it('without anomalies or history, says there is nothing to compare with', () => {
    const report = sizeSpanReport({ project: 'mala-client', market: 'dev', spans: [{ from: 'c-3', to: 'c-7', size: 24_800_000 }], recentSizes: [] });
    const message = renderSizeSpans({ report, release: 'production', version: 'c-7' });
    expect(message.text).toBe('📦 update packages · mala-client dev · production c-7');
    expect(message.lines).toEqual(['c-3 → c-7 : 24.8 MB', 'ℹ️ note: no earlier update packages to compare sizes with yet']);
  });

  it('with no packages built, says so', () => {
    const report = sizeSpanReport({ project: 'mala-core', market: 'dev', spans: [], recentSizes: [1] });
    expect(renderSizeSpans({ report, release: 'production', version: 'v1' }).lines![0]).toBe('no update packages were built');
  });

  it('with more rows than fit, shows the flagged ones first and counts the rest', () => {
    const spans = Array.from({ length: 300 }, (_, i) => ({ from: `v1.${i}`, to: 'v2.0', size: i === 250 ? 90_000_000 : 10_000_000 + i }));
    const report = sizeSpanReport({ project: 'mala-core', market: 'brazil', spans, recentSizes: [10_000_000, 11_000_000, 9_000_000] });
    const message = renderSizeSpans({ report, release: 'production', version: 'v2.0' });
    expect(messageLength(message)).toBeLessThanOrEqual(MESSAGE_CHAR_LIMIT);
    expect(message.lines![0]).toBe('v1.250 → v2.0 : 90.0 MB  ⚠️ 9.0× the usual 10.0 MB');
    expect(message.lines!.some((line) => /^… \d+ more package\(s\) not shown$/.test(line))).toBe(true);
    expect(message.lines!.at(-1)).toBe('usual size: 10.0 MB (median of recent packages)');
  });
});
