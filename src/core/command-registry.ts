// The set of declared verbs, checked when it is built: a clash (two verbs typed the same
// way, one verb's words a prefix of another's, a field given twice, an argument order the
// parser cannot read, a policy the runtime cannot carry out) throws when built, listing
// every problem, so it never reaches a user. The wiring builds one from commands/ and hands
// it to the parser, router, help, job runtime, adapters and docs (src/cli/project-commands.ts).
import { type ArgumentDeclaration, type CommandDeclaration, type FlagDeclaration, REST_OF_LINE_KINDS, type Verb } from './command-types.ts';

const WORD = /^[a-z][a-z-]*$/;

export class CommandRegistry {
  readonly declarations: readonly CommandDeclaration[];
  readonly #byVerb = new Map<string, CommandDeclaration>();

  constructor(declarations: readonly CommandDeclaration[]) {
    const problems = registryProblems(declarations);
    if (problems.length > 0) throw new Error(`invalid command declarations:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.declarations = [...declarations];
    for (const declaration of declarations) this.#byVerb.set(declaration.verb, declaration);
  }

  /** The declaration of `verb`; throws for a verb that was not declared (a programming error). */
  find<V extends Verb>(verb: V): CommandDeclaration<V> {
    const declaration = this.#byVerb.get(verb);
    if (!declaration) throw new Error(`no declaration for verb "${verb}"`);
    return declaration as CommandDeclaration<V>;
  }

  /** The verbs whose first word is `word` (lower case): one verb, a group like `gray`, or none. */
  withFirstWord(word: string): CommandDeclaration[] {
    return this.declarations.filter((declaration) => declaration.words[0] === word);
  }

  /** First words in declaration order, each once: `deploy, gray, review, rollback, …`. */
  firstWords(): string[] {
    return [...new Set(this.declarations.map((declaration) => declaration.words[0] ?? ''))];
  }
}

export function registryProblems(declarations: readonly CommandDeclaration[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const declaration of declarations) {
    const name = `"${declaration.verb}"`;
    const typed = declaration.words.join(' ');
    if (declaration.words.length === 0 || !declaration.words.every((word) => WORD.test(word))) problems.push(`${name}: words must be lower-case letters`);
    if (typed !== declaration.verb) problems.push(`${name}: words "${typed}" do not spell the verb`);
    if (seen.has(typed)) problems.push(`${name}: typed as "${typed}" like ${seen.get(typed)}`);
    seen.set(typed, name);
    problems.push(...declarationProblems(declaration).map((problem) => `${name}: ${problem}`));
  }
  for (const word of new Set(declarations.map((d) => d.words[0]))) {
    const group = declarations.filter((d) => d.words[0] === word);
    if (new Set(group.map((d) => d.slashCommand === true)).size > 1) problems.push(`the verbs of "${word}" disagree on slashCommand`);
  }
  for (const a of declarations) {
    for (const b of declarations) {
      if (a !== b && a.words.length < b.words.length && a.words.every((word, i) => b.words[i] === word)) {
        problems.push(`"${a.verb}" is a prefix of "${b.verb}": the parser could not tell them apart`);
      }
    }
  }
  return problems;
}

function declarationProblems(declaration: CommandDeclaration): string[] {
  const problems: string[] = [];
  const args: readonly ArgumentDeclaration[] = declaration.args;
  const flags: readonly FlagDeclaration[] = declaration.flags;
  const fields = [...args.map((a) => a.field), ...flags.map((f) => f.field)];
  for (const field of new Set(fields)) {
    if (fields.filter((f) => f === field).length > 1) problems.push(`field "${field}" is filled twice`);
  }
  const flagNames = flags.map((f) => f.name);
  for (const flag of flags) {
    if (!WORD.test(flag.name)) problems.push(`flag "${flag.name}" must be lower-case letters and "-"`);
    if (flagNames.filter((n) => n === flag.name).length > 1) problems.push(`flag "--${flag.name}" is declared twice`);
    if (flag.kind === 'hosts' && declaration.target === undefined) problems.push(`flag "--${flag.name}" names hosts but the verb has no target location`);
    if (flag.kind === 'platforms' && declaration.target === undefined) problems.push(`flag "--${flag.name}" names platforms but the verb has no target location`);
  }
  args.forEach((arg, i) => {
    const before = args.slice(0, i);
    if (REST_OF_LINE_KINDS.has(arg.kind) && i !== args.length - 1) problems.push(`argument "${arg.field}" takes the rest of the line but is not last`);
    if (!arg.optional && before.some((b) => b.optional)) problems.push(`required argument "${arg.field}" follows an optional one`);
    if (arg.default !== undefined && (arg.kind !== 'count' || !arg.optional)) problems.push(`argument "${arg.field}": only an optional count has a default`);
    if (arg.kind === 'market' && !before.some((b) => b.kind === 'project')) problems.push(`market argument "${arg.field}" needs a project argument before it`);
    if (arg.kind === 'channel' && !before.some((b) => b.kind === 'market' && !b.optional)) problems.push(`channel argument "${arg.field}" needs a required market argument before it`);
  });
  const requires = (kind: ArgumentDeclaration['kind']) => args.some((a) => a.kind === kind && !a.optional);
  if (declaration.target !== undefined && !(requires('project') && requires('market'))) problems.push(`target "${declaration.target}" needs required project and market arguments`);
  if (declaration.target === 'review' && !requires('channel')) problems.push('target "review" needs a channel argument');
  if ((declaration.needsApproval || declaration.checksPassIn) && !declaration.sideEffects) problems.push('needsApproval/checksPassIn without sideEffects');
  // approval is asked, and pass-in checked, in the prepare phase: without one they would be skipped
  if ((declaration.needsApproval || declaration.checksPassIn) && !declaration.prepares) problems.push('needsApproval/checksPassIn without prepares');
  if (declaration.prepares && !declaration.sideEffects) problems.push('prepares without sideEffects');
  return problems;
}
