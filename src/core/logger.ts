// Structured logs as JSON lines on stderr (stdout belongs to the console chat). Every
// string of a line is redacted before it is JSON-encoded (and the encoded line once more,
// for keys), so a secret that slips into an error message or hook output is never written
// out (docs/operations.md, "What is redacted").
import { type Redactor, urlOnlyRedactor } from './redactor.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** The process's redactor (processRedactor); without one only URL credentials are masked. */
  redactor?: Redactor;
  write?: (line: string) => void;
  base?: Record<string, unknown>;
}

export function parseLogLevel(value: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  return value !== undefined && value in ORDER ? (value as LogLevel) : fallback;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const base = options.base ?? {};
  const redactor = options.redactor ?? urlOnlyRedactor;
  const emit = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[at] < ORDER[level]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level: at, msg: message, ...base, ...fields }, redactingReplacer(redactor));
    write(redactor.redact(line));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

function redactingReplacer(redactor: Redactor): (key: string, value: unknown) => unknown {
  return (_key, value) => {
    if (typeof value === 'string') return redactor.redact(value);
    if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
    return value;
  };
}
