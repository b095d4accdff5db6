// Redacts output that arrives in chunks (a child's stdout, an ssh2 stream): a secret split
// across two chunks is still caught, because the end of each chunk that could be the start
// of a form is held back until the next chunk (or the end) shows what follows.
import { StringDecoder } from 'node:string_decoder';
import type { Redactor } from './redactor.ts';

/** Longest URL userinfo held back so `scheme://user:token@` split across chunks is still masked. */
const URL_HOLD = 512;
/** Always held back, so a `https://` split across chunks is seen whole. */
const SCHEME_HOLD = 16;

export class StreamRedactor {
  readonly #decoder = new StringDecoder('utf8');
  readonly #hold: number;
  #pending = '';

  constructor(private readonly redactor: Redactor) {
    this.#hold = Math.max(redactor.longestForm - 1, 0);
  }

  /** Takes the next chunk; returns the redacted text that is now safe to hand on (maybe empty). */
  push(chunk: Buffer | string): string {
    const text = this.#pending + (typeof chunk === 'string' ? chunk : this.#decoder.write(chunk));
    const cut = this.#safeCut(text);
    this.#pending = text.slice(cut);
    return cut === 0 ? '' : this.redactor.redact(text.slice(0, cut));
  }

  /** The rest, redacted: call once the stream has ended. */
  end(): string {
    const text = this.#pending + this.#decoder.end();
    this.#pending = '';
    return this.redactor.redact(text);
  }

  /**
   * Where `text` may be split: everything before the cut is final. A form starting at or
   * after `text.length - hold` could continue in the next chunk, so that tail waits; a form
   * that starts earlier is wholly inside `text` (no form is longer than `hold + 1`), and the
   * cut moves past it so it is redacted in one piece. A URL whose userinfo has not ended
   * by the cut waits whole (up to URL_HOLD characters), and the cut never splits a form.
   */
  #safeCut(text: string): number {
    let cut = Math.max(text.length - Math.max(this.#hold, SCHEME_HOLD), 0);
    for (const [start, end] of this.#occurrences(text)) if (start < cut) cut = Math.max(cut, end);
    const url = openUserinfoStart(text, cut);
    if (url !== undefined && text.length - url <= URL_HOLD) cut = url;
    for (let moved = true; moved;) {
      moved = false;
      for (const [start, end] of this.#occurrences(text)) {
        if (start < cut && cut < end) {
          cut = start;
          moved = true;
        }
      }
    }
    return cut;
  }

  #occurrences(text: string): Array<[number, number]> {
    const found: Array<[number, number]> = [];
    for (const form of this.redactor.forms) {
      for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) found.push([at, at + form.length]);
    }
    return found;
  }
}

/** Start of the earliest URL that begins before `cut` and whose userinfo (up to a "/", "?", "#" or blank after its "://") has not ended by then. */
function openUserinfoStart(text: string, cut: number): number | undefined {
  for (let scheme = text.indexOf('://'); scheme !== -1; scheme = text.indexOf('://', scheme + 1)) {
    let start = scheme;
    while (start > 0 && /[A-Za-z0-9+.-]/.test(text[start - 1]!)) start -= 1;
    if (start >= cut) return undefined;
    const end = text.slice(scheme + 3).search(/[\s/?#]/);
    if (end === -1 || scheme + 3 + end >= cut) return start;
  }
  return undefined;
}
