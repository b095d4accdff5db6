// One redactor per process: every secret in every form it may be written in — raw,
// JSON-escaped, base64 (any alignment inside a longer stream, standard and URL-safe
// alphabets) and hex (lower and upper case) — replaced by `[redacted]`, and the
// credentials of any URL (`https://user:token@host`) shown as `***`. What is redacted and
// why is in docs/operations.md ("What is redacted").
import type { Secret } from './secret.ts';
import { redactUrlCredentials } from './redact-url-credentials.ts';

export const REDACTED = '[redacted]';

/**
 * Values shorter than this are not redacted: redacting "ab" would shred every text and
 * show the secret by its holes. Such a value cannot be a real token or key; the process
 * warns about it at start (see `Redactor.tooShort`).
 */
export const MIN_SECRET_LENGTH = 4;

/** Key body lines shorter than this are not taken as secrets of their own. */
const MIN_KEY_LINE = 8;

export interface Redactor {
  /** `text` with every form of every secret replaced and URL credentials masked. */
  redact(text: string): string;
  /** Every string that is replaced (longest first). */
  readonly forms: readonly string[];
  /** Length of the longest form: a stream must hold back one less than this at a chunk's end. */
  readonly longestForm: number;
  /** Labels of secrets too short to redact (MIN_SECRET_LENGTH). */
  readonly tooShort: readonly string[];
}

export type SecretInput = Secret | string | { label: string; value: string };

/** Builds the redactor for `secrets` (each value, and each body line of multi-line key material). */
export function createRedactor(secrets: Iterable<SecretInput>): Redactor {
  const needles = new Set<string>();
  const tooShort: string[] = [];
  for (const secret of secrets) {
    const { label, value } = describe(secret);
    if (value.length === 0) continue;
    if (value.trim().length < MIN_SECRET_LENGTH) {
      if (!tooShort.includes(label)) tooShort.push(label);
      continue;
    }
    needles.add(value);
    if (value.trim() !== value) needles.add(value.trim());
    const lines = value.split(/\r?\n/);
    if (lines.length > 1) {
      for (const line of lines) {
        const trimmed = line.trim();
        // Armour lines ("-----BEGIN ...") are not secret; key body lines are.
        if (trimmed.length >= MIN_KEY_LINE && !trimmed.startsWith('-----')) needles.add(trimmed);
      }
    }
  }
  const forms = new Set<string>();
  for (const needle of needles) for (const form of secretForms(needle)) forms.add(form);
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  return {
    redact: (text) => redactUrlCredentials(replaceForms(text, sorted)),
    forms: sorted,
    longestForm: sorted[0]?.length ?? 0,
    tooShort,
  };
}

/** A redactor that only masks URL credentials (no secrets known). */
export const urlOnlyRedactor: Redactor = createRedactor([]);

/**
 * The forms one secret may be written in. base64 forms are the characters of a longer
 * base64 stream that depend on the secret's bytes alone, for each of the three alignments
 * (the partial characters at either edge are left out: they depend on the neighbours).
 */
export function secretForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms = new Set<string>([value]);
  const json = JSON.stringify(value).slice(1, -1);
  forms.add(json);
  forms.add(bytes.toString('hex'));
  forms.add(bytes.toString('hex').toUpperCase());
  for (let align = 0; align < 3; align += 1) {
    const core = base64Core(bytes, align);
    if (core.length < MIN_SECRET_LENGTH) continue;
    forms.add(core);
    forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/** The base64 characters fully determined by `bytes` when they start `align` bytes into a 3-byte group. */
function base64Core(bytes: Buffer, align: number): string {
  const encoded = Buffer.concat([Buffer.alloc(align), bytes, Buffer.alloc(2)]).toString('base64');
  const firstBit = align * 8;
  const endBit = firstBit + bytes.length * 8;
  const first = Math.ceil(firstBit / 6);
  const last = Math.floor(endBit / 6); // exclusive: the char at `last` reaches past the secret
  return encoded.slice(first, last);
}

/** Marks every occurrence of every form (overlaps merged) and replaces each marked run once. */
function replaceForms(text: string, forms: readonly string[]): string {
  if (forms.length === 0 || text.length === 0) return text;
  let current = text;
  // a replacement can, in theory, complete a form with its neighbours; go again until stable
  for (let pass = 0; pass < 4; pass += 1) {
    const ranges: Array<[number, number]> = [];
    for (const form of forms) {
      for (let at = current.indexOf(form); at !== -1; at = current.indexOf(form, at + 1)) ranges.push([at, at + form.length]);
    }
    if (ranges.length === 0) return current;
    ranges.sort((a, b) => a[0] - b[0]);
    let out = '';
    let cursor = 0;
    let [start, end] = ranges[0]!;
    for (const [s, e] of ranges.slice(1)) {
      if (s <= end) {
        end = Math.max(end, e);
        continue;
      }
      out += current.slice(cursor, start) + REDACTED;
      cursor = end;
      [start, end] = [s, e];
    }
    out += current.slice(cursor, start) + REDACTED + current.slice(end);
    current = out;
  }
  return current;
}

function describe(secret: SecretInput): { label: string; value: string } {
  if (typeof secret === 'string') return { label: 'a secret', value: secret };
  if ('reveal' in secret) return { label: secret.label, value: secret.reveal() };
  return secret;
}
