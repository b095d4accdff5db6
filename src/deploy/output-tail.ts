// Keeps the end of a command's output (stdout and stderr interleaved) within a budget, and
// hands out its last lines — what reports and chat show. Output is redacted as it arrives
// (a StreamRedactor holds back a chunk's end until the next one shows what follows), so a
// secret split across writes is caught and no secret is kept even in memory.
import type { Redactor } from '../core/redactor.ts';
import { StreamRedactor } from '../core/stream-redactor.ts';

const MAX_LINE = 500;

export class OutputTail {
  readonly #stream: StreamRedactor;
  #chunks: string[] = [];
  #size = 0;
  #truncated = false;

  /** `maxChars`: how much redacted output is kept. */
  constructor(redactor: Redactor, private readonly maxChars = 64 * 1024) {
    this.#stream = new StreamRedactor(redactor);
  }

  push(chunk: Buffer | string): void {
    this.#keep(this.#stream.push(chunk));
  }

  /** The last `count` lines, redacted; a line cut by truncation is dropped, long lines are shortened. */
  lines(count = 20): string[] {
    this.#keep(this.#stream.end());
    let text = this.#chunks.join('');
    if (this.#truncated) text = text.slice(text.indexOf('\n') + 1);
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count).map((line) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line));
  }

  #keep(text: string): void {
    if (text === '') return;
    this.#chunks.push(text);
    this.#size += text.length;
    while (this.#size > this.maxChars && this.#chunks.length > 1) {
      this.#size -= this.#chunks.shift()!.length;
      this.#truncated = true;
    }
    if (this.#size > this.maxChars * 2) {
      const only = this.#chunks.join('').slice(-this.maxChars);
      this.#chunks = [only];
      this.#size = only.length;
      this.#truncated = true;
    }
  }
}
