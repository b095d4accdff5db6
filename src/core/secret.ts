import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value (key material, token). It prints as `[redacted]` everywhere — in
 * template strings, JSON, util.inspect and logs — and only `reveal()` hands out the text,
 * which is meant for the one call that needs it (ssh2's privateKey, an HTTP header).
 */
export class Secret {
  readonly #value: string;
  constructor(value: string, readonly label: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return `Secret(${this.label})`;
  }
}
