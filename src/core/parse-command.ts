// Reads one command line into a typed Command (docs/reference/command-grammar.md), for Slack, DingTalk and the
// console alike. Never throws: every refusal is one line naming the offending word, with
// the usage of the verb.
//
// Grammar decisions:
// - One leading "/" is dropped (`/deploy …`, `/gray start …`); surrounding whitespace and
//   runs of spaces, tabs or newlines between words do not matter.
// - Verbs and flag names are case-insensitive (ASCII only: `Deploy`, `GRAY Start`, `--Dry-Run`);
//   arguments are exact, as config names, refs and deploy ids are case-sensitive.
// - Flags may appear anywhere after the verb; `--hosts h1,h2`, `--hosts=h1,h2` and
//   `--hosts h1, h2` are the same. A leading em or en dash (`—hosts`, as chat clients turn
//   `--` into) counts as `--`.
// - A rest-of-line argument (a lock or reject reason, a help topic) takes everything after
//   the words before it, verbatim apart from whitespace and control characters.
import type { Config } from '../../config/load-config.ts';
import { parseDuration } from '../../config/parse-duration.ts';
import type { CommandRegistry } from './command-registry.ts';
import type { ArgumentDeclaration, Command, CommandDeclaration, FlagDeclaration, ParseResult } from './command-types.ts';
import { REST_OF_LINE_KINDS } from './command-types.ts';
import { argumentLabel, formatFlag, usageLines } from './format-usage.ts';
import { listNames, quoteWord } from './quote-word.ts';
import { targetLocation } from './target-location.ts';
import { type Token, tokenize } from './tokenize.ts';
import { validateArgument } from './validate-argument.ts';
import { validatePlatforms } from './validate-platforms.ts';
import { validateHosts } from './validate-hosts.ts';
import { isWhenForm } from '../domain/scheduled-time.ts';

/** Longer lines are refused before they are read (Slack's own limit is about 4000). */
export const MAX_LINE_LENGTH = 4000;
const MIN_FLAG_DURATION_MS = 60_000;
const MAX_FLAG_DURATION_MS = 30 * 86_400_000;

/** Reads `text` against the verbs of `registry`. */
export function parseCommand(registry: CommandRegistry, text: string, config: Config): ParseResult {
  try {
    return parseLine(registry, text, config);
  } catch {
    return { ok: false, error: 'internal error while reading the command; please report it with the text you typed' };
  }
}

type Refusal = { ok: false; error: string; usage?: string };
type Step<T> = { ok: true; value: T } | Refusal;

function parseLine(registry: CommandRegistry, text: string, config: Config): ParseResult {
  if (typeof text !== 'string') return { ok: false, error: 'empty command; try help' };
  if (text.length > MAX_LINE_LENGTH) return { ok: false, error: `command is too long (${text.length} characters, at most ${MAX_LINE_LENGTH})` };
  const line = text.replace(/^\s*\//u, '');
  const tokens = tokenize(line);
  if (tokens.length === 0) return { ok: false, error: 'empty command; try help' };

  const verb = matchVerb(registry, tokens);
  if (!verb.ok) return verb;
  const declaration = verb.value;
  const result = readArguments(declaration, line, tokens.slice(declaration.words.length), config);
  if (!result.ok) return { ok: false, error: result.error, usage: usageLines([declaration]) };
  return { ok: true, command: result.value };
}

function matchVerb(registry: CommandRegistry, tokens: Token[]): Step<CommandDeclaration> {
  const typed = tokens.map((token) => asciiLower(token.text));
  const candidates = registry.withFirstWord(typed[0] ?? '');
  if (candidates.length === 0) {
    return { ok: false, error: `unknown command ${quoteWord(tokens[0]?.text ?? '')}; try help (commands: ${registry.firstWords().join(', ')})` };
  }
  const match = candidates.find((declaration) => declaration.words.every((word, i) => typed[i] === word));
  if (match) return { ok: true, value: match };
  const group = candidates[0]?.words[0] ?? '';
  const subcommands = candidates.map((declaration) => declaration.words.slice(1).join(' '));
  const usage = usageLines(candidates);
  if (tokens.length < 2) return { ok: false, error: `"${group}" needs one of: ${subcommands.join(', ')}`, usage };
  return { ok: false, error: `unknown ${group} command ${quoteWord(tokens[1]?.text ?? '')}; try ${candidates.map((d) => d.verb).join(', ')}`, usage };
}

function readArguments(declaration: CommandDeclaration, line: string, tokens: Token[], config: Config): Step<Command> {
  const args: readonly ArgumentDeclaration[] = declaration.args;
  const fields: Record<string, unknown> = { verb: declaration.verb };
  const flagValues = new Map<FlagDeclaration, string | true>();
  let next = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const arg = args[next];
    // a verb with flags takes them before its rest-of-line argument too (`lock a b --for 2h why`)
    if (arg && REST_OF_LINE_KINDS.has(arg.kind) && !namesFlag(declaration, token.text)) {
      const rest = takeTrailingFlags(declaration, line.slice(token.start), flagValues);
      if (!rest.ok) return rest;
      const checked = validateArgument(arg.kind, rest.value, config, fields);
      if (!checked.ok) return checked;
      if (checked.value !== '') fields[arg.field] = checked.value;
      next++;
      break;
    }
    if (isOption(token.text)) {
      const flag = readFlag(declaration, tokens, i, flagValues);
      if (!flag.ok) return flag;
      i += flag.value;
      continue;
    }
    if (!arg) return refuse(`unexpected argument ${quoteWord(token.text)}; ${declaration.verb} takes ${countArguments(args)}`);
    const checked = validateArgument(arg.kind, token.text, config, fields);
    if (!checked.ok) return checked;
    fields[arg.field] = checked.value;
    next++;
  }
  for (const arg of args) {
    if (fields[arg.field] !== undefined) continue;
    if (!arg.optional) return refuse(`missing <${argumentLabel(arg)}>`);
    if (arg.default !== undefined) fields[arg.field] = arg.default;
  }
  const checked = checkTarget(declaration, config, fields, flagValues);
  if (!checked.ok) return checked;
  return { ok: true, value: fields as Command };
}

/** The target location must exist (gray: have gray hosts); flag values are read against it. */
function checkTarget(declaration: CommandDeclaration, config: Config, fields: Record<string, unknown>, flagValues: Map<FlagDeclaration, string | true>): Step<true> {
  const market = String(fields.market ?? '');
  const channel = typeof fields.channel === 'string' ? fields.channel : undefined;
  const location = declaration.target ? targetLocation(config, market, declaration.target, channel) : undefined;
  if (declaration.target && !location) return refuse(`market ${quoteWord(market)} has no ${declaration.target} location${channel ? ` for ${quoteWord(channel)}` : ''}`);
  if (declaration.target === 'gray' && location && location.hosts.length === 0) {
    return refuse(`market ${quoteWord(market)} has no gray hosts (its production location ${quoteWord(location.name)} lists no grayHosts)`);
  }
  const flags: readonly FlagDeclaration[] = declaration.flags;
  for (const flag of flags) {
    const value = flagValues.get(flag);
    if (flag.kind === 'boolean') {
      fields[flag.field] = value !== undefined;
    } else if (flag.kind === 'duration') {
      if (typeof value !== 'string') continue;
      const ms = parseDuration(value);
      if (ms === undefined || !/[a-z]\s*$/i.test(value) || ms < MIN_FLAG_DURATION_MS || ms > MAX_FLAG_DURATION_MS) {
        return refuse(`flag --${flag.name} needs a duration from 1m to 30d such as 30m, 2h or 3d (got ${quoteWord(value)})`);
      }
      fields[flag.field] = ms;
    } else if (flag.kind === 'when') {
      if (typeof value !== 'string') continue;
      if (!isWhenForm(value)) return refuse(`--${flag.name} ${quoteWord(value)} must be an ISO time with an offset (2026-12-02T03:00+08:00), HH:MM (market time) or next-window`);
      fields[flag.field] = value;
    } else if (typeof value === 'string' && flag.kind === 'platforms') {
      const platforms = validatePlatforms(value, market, config);
      if (!platforms.ok) return platforms;
      fields[flag.field] = platforms.platforms;
    } else if (typeof value === 'string' && location) {
      const hosts = validateHosts(value, location, market, config);
      if (!hosts.ok) return hosts;
      fields[flag.field] = hosts.hosts;
    }
  }
  return { ok: true, value: true };
}

/**
 * Flags written at the end of a rest-of-line argument (`lock a b store review --for 2h`)
 * are flags, not words of the reason; returns the text without them.
 */
function takeTrailingFlags(declaration: CommandDeclaration, text: string, seen: Map<FlagDeclaration, string | true>): Step<string> {
  const flags: readonly FlagDeclaration[] = declaration.flags;
  let rest = text;
  for (let found = true; found;) {
    found = false;
    for (const flag of flags) {
      const pattern = flag.kind === 'boolean' ? new RegExp(`(^|\\s)--${flag.name}\\s*$`, 'i') : new RegExp(`(^|\\s)--${flag.name}(?:=|\\s+)(\\S+)\\s*$`, 'i');
      const match = pattern.exec(rest);
      if (!match) continue;
      if (seen.has(flag)) return refuse(`flag --${flag.name} is given twice`);
      seen.set(flag, flag.kind === 'boolean' ? true : match[2]!);
      rest = rest.slice(0, match.index).trimEnd();
      found = true;
    }
  }
  return { ok: true, value: rest };
}

/** Reads the flag at tokens[at]; the value is how many following tokens it consumed. */
function readFlag(declaration: CommandDeclaration, tokens: Token[], at: number, seen: Map<FlagDeclaration, string | true>): Step<number> {
  const written = tokens[at]!.text;
  const text = written.replace(/^[\u2013\u2014]/u, '--');
  const flags: readonly FlagDeclaration[] = declaration.flags;
  const accepted = flags.length === 0 ? `${declaration.verb} takes no flags` : `${declaration.verb} takes ${flags.map(formatFlag).join(', ')}`;
  if (!text.startsWith('--')) return refuse(`unknown option ${quoteWord(written)}; ${accepted}`);
  const equals = text.indexOf('=');
  const name = asciiLower(equals === -1 ? text.slice(2) : text.slice(2, equals));
  const inline = equals === -1 ? undefined : text.slice(equals + 1);
  const flag = flags.find((f) => f.name === name);
  if (!flag) return refuse(`unknown flag ${quoteWord(written)}; ${accepted}`);
  if (seen.has(flag)) return refuse(`flag --${flag.name} is given twice`);
  if (flag.kind === 'boolean') {
    if (inline !== undefined) return refuse(`flag --${flag.name} takes no value (got ${quoteWord(inline)})`);
    seen.set(flag, true);
    return { ok: true, value: 0 };
  }
  let value = inline;
  let consumed = 0;
  if (value === undefined) {
    const following = tokens[at + 1];
    if (following && !isOption(following.text)) {
      value = following.text;
      consumed = 1;
    }
  }
  // `--hosts br-1, br-2`: a list split after a comma continues in the next word.
  while (value !== undefined && value.endsWith(',') && tokens[at + consumed + 1] && !isOption(tokens[at + consumed + 1]!.text)) {
    value += tokens[at + consumed + 1]!.text;
    consumed++;
  }
  if (value === undefined || value === '') return refuse(`flag --${flag.name} needs a value: ${formatFlag(flag)}`);
  seen.set(flag, value);
  return { ok: true, value: consumed };
}

/** Whether a word is one of the verb's flags (`--for`, `--for=2h`). */
function namesFlag(declaration: CommandDeclaration, text: string): boolean {
  const written = asciiLower(text.replace(/^[\u2013\u2014]/u, '--'));
  const flags: readonly FlagDeclaration[] = declaration.flags;
  return flags.some((flag) => written === `--${flag.name}` || written.startsWith(`--${flag.name}=`));
}

/** A word starting with "-" (or a dash chat clients substitute for "--") is an option, never a value. */
function isOption(text: string): boolean {
  return text.length > 1 && /^[-\u2013\u2014]/u.test(text);
}

function countArguments(args: readonly ArgumentDeclaration[]): string {
  const required = args.filter((a) => !a.optional).length;
  const most = args.length;
  if (most === 0) return 'no arguments';
  const range = required === most ? `${most}` : `${required} to ${most}`;
  return `${range} argument${most === 1 ? '' : 's'} (${listNames(args.map((a) => argumentLabel(a)))})`;
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function refuse(error: string): Refusal {
  return { ok: false, error };
}
