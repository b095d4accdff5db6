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

/**
 * Replaces every occurrence of any secret (and of each of its lines, for multi-line key
 * material) in `text` with `[redacted]`. Used on hook output and error messages before
 * they are shown anywhere.
 */
export function redactSecrets(text: string, secrets: Iterable<Secret | string>): string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    const value = typeof secret === 'string' ? secret : secret.reveal();
    if (value.length >= 4) needles.add(value);
    for (const line of value.split(/\r?\n/)) {
      const trimmed = line.trim();
      // Armour lines ("-----BEGIN ...") are not secret; key body lines are.
      if (trimmed.length >= 8 && !trimmed.startsWith('-----')) needles.add(trimmed);
    }
  }
  let out = text;
  for (const needle of [...needles].sort((a, b) => b.length - a.length)) {
    out = out.split(needle).join(REDACTED);
  }
  return out;
}
