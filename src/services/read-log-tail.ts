import { readFileSync } from 'node:fs';

/** The last `lines` lines of a log file, or a note that it could not be read. */
export function readLogTail(file: string, lines = 20): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n') || '(log is empty)';
  } catch (error) {
    return `(no log at ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
}
