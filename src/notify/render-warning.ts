// A gray-test warning (docs/reference/messages.md): a gray release too old, gray hosts drifting from the gray
// version, a production deploy while gray is active, a release rule refusing something. Pure.
import type { OutgoingMessage } from '../core/chat-types.ts';
import type { GrayWarning, GrayWarningKind } from '../domain/gray-warnings.ts';
import { MESSAGE_CHAR_LIMIT, oneLine } from './message-text.ts';

export const WARNING_TITLES: Record<GrayWarningKind, string> = {
  gray_too_old: 'gray release running too long',
  gray_host_drift: 'gray host drift',
  production_deploy_during_gray: 'production deploy while gray is active',
  rule_refused: 'refused by a release rule',
  release_not_recorded: 'hosts serve a release the release store does not record',
  hosts_drifted: 'hosts differ from their recorded release',
  gray_unhealthy: 'gray host unhealthy',
};

export function renderWarning(warning: GrayWarning, options: { deployId?: string } = {}): OutgoingMessage {
  const title = WARNING_TITLES[warning.kind] ?? warning.kind;
  const where = `${warning.project} ${warning.market} (${warning.release})${options.deployId ? ` · ${options.deployId}` : ''}`;
  return {
    text: oneLine(`⚠️ gray warning: ${title} · ${where}`, 400),
    lines: [oneLine(warning.message, MESSAGE_CHAR_LIMIT - 500)],
  };
}
