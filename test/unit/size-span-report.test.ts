import { describe, expect, it } from 'vitest';
import { formatDecimalSize } from '../../src/domain/format-size.ts';
import { median, sizeSpanReport } from '../../src/domain/size-span-report.ts';

const MB = 1_000_000;

describe('size span report (docs/reference/messages.md)', () => {
  it('when sizes are shown, then they are decimal MB like the spec (24 800 000 bytes = 24.8 MB)', () => {
    expect(formatDecimalSize(24_800_000)).toBe('24.8 MB');
    expect(formatDecimalSize(4 * MB)).toBe('4.0 MB');
    expect(formatDecimalSize(850_000)).toBe('850.0 kB');
    expect(formatDecimalSize(999)).toBe('999 B');
    expect(formatDecimalSize(2_500_000_000)).toBe('2.50 GB');
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('when spans are near the usual size, then rows are plain "from → to : size" lines', () => {
    const report = sizeSpanReport({ project: 'mala-client', market: 'brazil', spans: [{ from: 'c-3', to: 'c-7', size: 24_800_000 }], recentSizes: [24 * MB, 25 * MB, 26 * MB] });
    expect(report.rows.map((r) => r.line)).toEqual(['c-3 → c-7 : 24.8 MB']);
    expect(report.rows[0]!.flags).toEqual([]);
    expect(report.anomalies).toBe(0);
    expect(report.usualSize).toBe(25 * MB);
  });

  it('when a span is at least twice the median of recent spans, then it is flagged', () => {
    const report = sizeSpanReport({ project: 'p', market: 'm', spans: [{ from: 'v1', to: 'v3', size: 50 * MB }, { from: 'v2', to: 'v3', size: 26 * MB }], recentSizes: [25 * MB, 24 * MB, 26 * MB] });
    expect(report.rows.map((r) => r.flags)).toEqual([['above_usual'], []]);
    expect(report.rows[0]!.line).toBe('v1 → v3 : 50.0 MB  ⚠ 2.0× the usual 25.0 MB');
    expect(report.anomalies).toBe(1);
    expect(report.text.split('\n')[0]).toBe('update packages p m — 1 unusually large');
  });

  it('when a span is above the configured ceiling, then it is flagged even without history', () => {
    const report = sizeSpanReport({ project: 'p', market: 'm', spans: [{ from: 'v1', to: 'v2', size: 70 * MB }], recentSizes: [], ceiling: 60 * MB });
    expect(report.rows[0]!.flags).toEqual(['above_ceiling']);
    expect(report.notes).toContain('no earlier update packages to compare sizes with yet');
  });

  it('when a gray release was active at packaging time, then the report notes it', () => {
    const report = sizeSpanReport({ project: 'p', market: 'm', spans: [{ from: 'v1', to: 'v2', size: MB }], recentSizes: [MB], grayActive: { version: 'v3', deployId: 'd-20261121-0003' } });
    expect(report.notes[0]).toMatch(/^gray v3 \(d-20261121-0003\) was active while these packages were built/);
    expect(report.text).toContain('note: gray v3');
  });
});
