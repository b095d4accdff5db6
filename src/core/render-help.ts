// Help text generated from the declarations: every verb with usage and summary, or one
// verb / verb group (`help deploy`, `help gray start`, `help gray`) in detail.
import type { CommandRegistry } from './command-registry.ts';
import type { ArgumentDeclaration, ArgumentKind, CommandDeclaration, CommandTarget, FlagDeclaration } from './command-types.ts';
import { formatArgument, formatFlag, formatUsage } from './format-usage.ts';
import { quoteWord } from './quote-word.ts';
import { MAX_REF_LENGTH } from '../domain/ref-rules.ts';
import { MAX_COUNT } from './validate-argument.ts';

const KIND_HELP: Record<ArgumentKind, string> = {
  project: 'a project from the config',
  market: 'a market the project is enabled in',
  channel: 'a review channel of the market (the key of its review location)',
  ref: `a tag, branch or commit: letters, digits and . _ / - (at most ${MAX_REF_LENGTH})`,
  deployId: 'a deploy id like d-20261121-0042',
  count: `a whole number from 1 to ${MAX_COUNT}`,
  text: 'free text, the rest of the line',
  topic: 'a command or group, e.g. deploy, gray start, gray',
  freezeScope: 'a market from the config, or all (every market)',
  freezeEnd: 'how long (2h, 3d) or until when (an ISO time with an offset, 2026-12-27T00:00+08:00)',
};

const TARGET_HELP: Record<CommandTarget, string> = {
  production: "the market's production location",
  gray: "the gray hosts of the market's production location",
  review: 'the review location of <channel>',
};

/** Help for the verbs of `registry`: all of them, or the verb or group named by `topic`. */
export function renderHelp(registry: CommandRegistry, topic?: string): string {
  const wanted = (topic ?? '').replace(/^\s*\//u, '').trim().split(/\s+/u).filter(Boolean).map(asciiLower).join(' ');
  if (wanted === '') return renderOverview(registry);
  const verb = registry.declarations.find((declaration) => declaration.verb === wanted);
  if (verb) return renderVerb(verb);
  const group = registry.withFirstWord(wanted);
  if (group.length > 0) return group.map(renderVerb).join('\n\n');
  return `no help for ${quoteWord(topic ?? '')}; try help, or help with one of: ${registry.firstWords().join(', ')}`;
}

function renderOverview(registry: CommandRegistry): string {
  return [
    'deploybot commands (a leading / is optional; command words are not case-sensitive):',
    ...registry.declarations.map((declaration) => `  ${formatUsage(declaration)} — ${declaration.summary}`),
    'help <command> shows one command in detail (help deploy, help gray start, help gray).',
  ].join('\n');
}

function renderVerb(declaration: CommandDeclaration): string {
  const args: readonly ArgumentDeclaration[] = declaration.args;
  const flags: readonly FlagDeclaration[] = declaration.flags;
  const rows: Array<[string, string]> = [
    ...args.map((arg): [string, string] => [formatArgument(arg), `${KIND_HELP[arg.kind]}${describeDefault(arg)}`]),
    ...flags.map((flag): [string, string] => [formatFlag(flag), flag.summary]),
  ];
  const width = Math.max(0, ...rows.map(([name]) => name.length));
  return [
    `usage: ${formatUsage(declaration)}`,
    declaration.summary,
    ...rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`),
    ...describePolicy(declaration),
  ].join('\n');
}

function describeDefault(arg: ArgumentDeclaration): string {
  if (arg.optional && arg.default !== undefined) return `; default ${arg.default}`;
  return arg.optional ? '; optional' : '';
}

function describePolicy(declaration: CommandDeclaration): string[] {
  const lines: string[] = [];
  if (declaration.target) lines.push(`acts on ${TARGET_HELP[declaration.target]}`);
  if (!declaration.sideEffects) lines.push('changes nothing');
  else {
    const rules = declaration.target ? ['refused while the location is locked'] : [];
    if (declaration.needsApproval) rules.push('needs approval in markets that require it');
    if (declaration.checksPassIn) rules.push("the commit must first have deployed in the market's requiresPassIn markets");
    if (rules.length > 0) lines.push(rules.join('; '));
  }
  return lines;
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
