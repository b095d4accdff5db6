// A real logger (createLogger) whose JSON lines are kept in memory, so tests can assert on
// what was logged — and on what never was (secrets).
import { createLogger, type Logger, type LogLevel } from '../../src/core/logger.ts';
import type { Redactor } from '../../src/core/redactor.ts';

export interface CapturedLogger {
  logger: Logger;
  lines: string[];
  /** All lines joined, for `not.toContain(secret)`. */
  text(): string;
}

/** `redactor`: the process's redactor, as the entry points hand it to their logger. */
export function captureLogger(level: LogLevel = 'debug', redactor?: Redactor): CapturedLogger {
  const lines: string[] = [];
  return {
    logger: createLogger({ level, write: (line) => lines.push(line), ...(redactor ? { redactor } : {}) }),
    lines,
    text: () => lines.join('\n'),
  };
}
