// Bolt and the Web API client log through @slack/logger's interface; this sends their lines
// into our logger, so they are structured, leveled and redacted like everything else.
import { LogLevel, type webApi } from '@slack/bolt';
import type { Logger } from '../../core/logger.ts';

type SlackLogger = webApi.Logger;

export function boltLogger(logger: Logger, level: LogLevel = LogLevel.INFO): SlackLogger {
  let current = level;
  let name = 'slack';
  const order: Record<LogLevel, number> = { [LogLevel.DEBUG]: 10, [LogLevel.INFO]: 20, [LogLevel.WARN]: 30, [LogLevel.ERROR]: 40 };
  const emit = (at: LogLevel, parts: unknown[]) => {
    if (order[at] < order[current]) return;
    const message = parts.map((part) => (part instanceof Error ? part.message : typeof part === 'string' ? part : safeJson(part))).join(' ');
    const fields = { component: name };
    if (at === LogLevel.DEBUG) logger.debug(message, fields);
    else if (at === LogLevel.INFO) logger.info(message, fields);
    else if (at === LogLevel.WARN) logger.warn(message, fields);
    else logger.error(message, fields);
  };
  return {
    debug: (...parts: unknown[]) => emit(LogLevel.DEBUG, parts),
    info: (...parts: unknown[]) => emit(LogLevel.INFO, parts),
    warn: (...parts: unknown[]) => emit(LogLevel.WARN, parts),
    error: (...parts: unknown[]) => emit(LogLevel.ERROR, parts),
    setLevel: (next: LogLevel) => {
      current = next;
    },
    getLevel: () => current,
    setName: (next: string) => {
      name = next;
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
