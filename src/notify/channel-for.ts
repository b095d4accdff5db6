// Where a deploy's messages go. Lives with the notifier (its main user) so that the notifier
// needs nothing from the job layer; accepting a command uses it too, for early warnings.
import type { Config } from '../../config/load-config.ts';
import { ownEntry } from '../core/own-entry.ts';

/** Where a project/market posts (docs/reference/messages.md): the configured channel, else the command's, else the default. */
export function channelFor(config: Config, project: string, market: string, commandChannel: string | undefined, platform: string): string {
  const configured = ownEntry(ownEntry(config.chat.channels, project), market);
  if (configured) return configured;
  if (commandChannel) return commandChannel;
  if (platform === 'dingtalk') return config.chat.dingtalk?.defaultConversation ?? 'default';
  return config.chat.slack?.defaultChannel ?? 'default';
}
