// What an upload notification says and where it goes (docs/reference/messages.md):
// "mala-client android: c-3 → c-7, 24.8 MB" (decimal MB) to chat.channels[project][market],
// else the project's first configured channel, else the default channel.
import type { Config } from '../../config/load-config.ts';
import { ownEntry } from '../core/own-entry.ts';
import { formatDecimalSize } from '../domain/format-size.ts';

export interface UploadNotice {
  project: string;
  market?: string | undefined;
  platform: string;
  file: string;
  size: number;
  fromVersion: string;
  toVersion: string;
}

export function formatUploadNotice(notice: UploadNotice): string {
  return `${notice.project} ${notice.platform}: ${notice.fromVersion} → ${notice.toVersion}, ${formatDecimalSize(notice.size)}`;
}

export function uploadChannel(config: Config, project: string, market: string | undefined, defaultChannel: string | undefined): string | undefined {
  const channels = ownEntry(config.chat.channels, project) ?? {};
  const configured = market === undefined ? undefined : ownEntry(channels, market);
  if (configured) return configured;
  return Object.values(channels)[0] ?? defaultChannel;
}
