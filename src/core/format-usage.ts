// Usage lines generated from a declaration: `deploy <project> <market> <ref> [--hosts h1,h2] [--dry-run]`.
import type { ArgumentDeclaration, ArgumentKind, CommandDeclaration, FlagDeclaration } from './command-types.ts';

const DEFAULT_LABELS: Record<ArgumentKind, string> = {
  project: 'project',
  market: 'market',
  channel: 'channel',
  ref: 'ref',
  deployId: 'deploy-id',
  count: 'n',
  text: 'text',
  topic: 'topic',
  freezeScope: 'market',
  freezeEnd: 'until',
};

/** Free text is shown with an ellipsis (`<reason…>`). Free-form kinds are shown bare when optional (`[n]`, `[reason…]`), names in angle brackets (`[<market>]`). */
const FREE_KINDS: ReadonlySet<ArgumentKind> = new Set(['count', 'text', 'topic']);

export function argumentLabel(arg: ArgumentDeclaration): string {
  const label = arg.label ?? DEFAULT_LABELS[arg.kind];
  return arg.kind === 'text' ? `${label}…` : label;
}

export function formatArgument(arg: ArgumentDeclaration): string {
  const label = argumentLabel(arg);
  if (!arg.optional) return `<${label}>`;
  return FREE_KINDS.has(arg.kind) ? `[${label}]` : `[<${label}>]`;
}

export function formatFlag(flag: FlagDeclaration): string {
  return `--${flag.name}${flag.valueLabel ? ` ${flag.valueLabel}` : ''}`;
}

/** `deploy <project> <market> <ref> [--hosts h1,h2] [--dry-run]` (without the `usage:` prefix). */
export function formatUsage(declaration: CommandDeclaration): string {
  const args: readonly ArgumentDeclaration[] = declaration.args;
  const flags: readonly FlagDeclaration[] = declaration.flags;
  return [...declaration.words, ...args.map(formatArgument), ...flags.map((flag) => `[${formatFlag(flag)}]`)].join(' ');
}

/** `usage: …`, one line per declaration. */
export function usageLines(declarations: readonly CommandDeclaration[]): string {
  return declarations.map((declaration) => `usage: ${formatUsage(declaration)}`).join('\n');
}
