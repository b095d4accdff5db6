// Keeps the end of a command's output (stdout and stderr interleaved) within a byte budget,
// and hands out its last lines with secrets redacted — what reports and chat show.
import { redactSecrets, type Secret } from '../core/secret.ts';

const MAX_LINE = 500;

export class OutputTail {
  #chunks: Buffer[] = [];
  #size = 0;
  #truncated = false;

  constructor(private readonly maxBytes = 64 * 1024) {}

  push(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#chunks.push(buffer);
    this.#size += buffer.length;
    while (this.#size > this.maxBytes && this.#chunks.length > 1) {
      this.#size -= this.#chunks.shift()!.length;
      this.#truncated = true;
    }
    if (this.#size > this.maxBytes * 2) {
      const only = Buffer.concat(this.#chunks).subarray(-this.maxBytes);
      this.#chunks = [only];
      this.#size = only.length;
      this.#truncated = true;
    }
  }

  /** The last `count` lines, redacted; a line cut by truncation is dropped, long lines are shortened. */
  lines(secrets: Iterable<Secret | string>, count = 20): string[] {
    let text = Buffer.concat(this.#chunks).toString('utf8');
    if (this.#truncated) text = text.slice(text.indexOf('\n') + 1);
    const lines = redactSecrets(text, secrets).split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count).map((line) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line));
  }
}

/** Redacts and tails text that was captured whole (e.g. an error message with output). */
export function tailLines(text: string, secrets: Iterable<Secret | string>, count = 20): string[] {
  const tail = new OutputTail();
  tail.push(text);
  return tail.lines(secrets, count);
}
