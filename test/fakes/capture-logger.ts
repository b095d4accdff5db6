// A real logger (createLogger) whose JSON lines are kept in memory, so tests can assert on
// what was logged — and on what never was (secrets).
import { createLogger, type Logger, type LogLevel } from '../../src/core/logger.ts';

export interface CapturedLogger {
  logger: Logger;
  lines: string[];
  /** All lines joined, for `not.toContain(secret)`. */
  text(): string;
}

export function captureLogger(level: LogLevel = 'debug'): CapturedLogger {
  const lines: string[] = [];
  return {
    logger: createLogger({ level, write: (line) => lines.push(line) }),
    lines,
    text: () => lines.join('\n'),
  };
}
