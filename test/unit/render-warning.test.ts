import { describe, expect, it } from 'vitest';
import type { GrayWarningKind } from '../../src/domain/gray-warnings.ts';
import { MESSAGE_CHAR_LIMIT, messageLength } from '../../src/notify/message-text.ts';
import { renderWarning, WARNING_TITLES } from '../../src/notify/render-warning.ts';
import { grayWarning } from '../fixtures/notices.ts';

describe('renderWarning', () => {
  it('titles the warning by its kind and keeps the domain message', () => {
    const message = renderWarning(grayWarning(), { deployId: 'd-20261121-0001' });
    expect(message.text).toBe('⚠️ gray warning: production deploy while gray is active · mala-core brazil (gray) · d-20261121-0001');
    expect(message.lines).toEqual([grayWarning().message]);
  });

  it('has a title for every kind of gray warning', () => {
    const kinds: GrayWarningKind[] = ['gray_too_old', 'gray_host_drift', 'production_deploy_during_gray', 'rule_refused'];
    for (const kind of kinds) {
      const message = renderWarning(grayWarning({ kind, message: `something about ${kind}` }));
      expect(message.text).toContain(WARNING_TITLES[kind]);
      expect(message.lines).toEqual([`something about ${kind}`]);
    }
  });

  it('keeps a very long message within the limit', () => {
    const message = renderWarning(grayWarning({ message: 'drift '.repeat(2000) }));
    expect(messageLength(message)).toBeLessThanOrEqual(MESSAGE_CHAR_LIMIT);
  });
});
