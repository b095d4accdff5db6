// The one command grammar (docs/reference/command-grammar.md): what a parsed command is, and how a verb is declared
// as data in commands/. Both chat platforms and the console go through parseCommand.
import type { TargetCommand } from '../domain/deploy-target.ts';

/** A command as parsed and validated against the config. Other code is written against these shapes. */
export type Command =
  // the commands that act on a release location: the domain's shapes, plus what only the parser knows
  | (Extract<TargetCommand, { verb: 'deploy' }> & { dryRun: boolean; platforms?: string[] } & Scheduled)
  | (Extract<TargetCommand, { verb: 'gray start' }> & { platforms?: string[] } & Scheduled)
  | (Extract<TargetCommand, { verb: 'gray promote' | 'review promote' }> & Scheduled)
  | Exclude<TargetCommand, { verb: 'deploy' | 'rollback' | 'sync' | 'gray start' | 'gray promote' | 'review promote' }>
  | (Extract<TargetCommand, { verb: 'rollback' }> & { deployId?: string })
  | (Extract<TargetCommand, { verb: 'sync' }> & { dryRun: boolean })
  | { verb: 'approve'; deployId: string }
  | { verb: 'reject'; deployId: string; reason?: string }
  | { verb: 'retry'; deployId: string }
  | { verb: 'cancel'; deployId: string; force: boolean }
  | { verb: 'pause'; deployId: string }
  | { verb: 'resume'; deployId: string }
  | { verb: 'abort'; deployId: string }
  | { verb: 'status'; project: string; market?: string }
  | { verb: 'history'; project: string; market: string; limit: number } // default 10, max 100
  | { verb: 'lock'; project: string; market: string; reason: string; forMs?: number }
  | { verb: 'unlock'; project: string; market: string }
  | { verb: 'stats'; project: string; market?: string; days: number } // default 30, max 100
  | { verb: 'build'; project: string; ref: string }
  | { verb: 'help'; topic?: string }
  | { verb: 'freeze'; market: string; until: string; reason: string }
  | { verb: 'unfreeze'; market: string };

/** `--at <when>` as typed (docs/scheduling.md): read against the market's clocks when accepted. */
type Scheduled = { at?: string };

export type Verb = Command['verb'];

/** The command of one verb. */
export type CommandOf<V extends Verb> = Extract<Command, { verb: V }>;

/**
 * `error` is always one line and names the offending word; `usage` is the usage of the
 * verb (one `usage: …` line per verb; several for a verb group such as `gray`).
 */
export type ParseResult = { ok: true; command: Command } | { ok: false; error: string; usage?: string };

/**
 * What a positional argument holds; each kind has its own validation (validate-argument.ts).
 * - `project`, `market`: names from the config; a market must be enabled for the project before it.
 * - `channel`: a review location of the market before it (its key is the channel).
 * - `ref`: a tag, branch or commit (validate-ref.ts).
 * - `deployId`: `d-YYYYMMDD-NNNN`.
 * - `count`: a whole number from 1 to 100.
 * - `text`: the rest of the line, free text (a reason).
 * - `topic`: the rest of the line, a help topic (lower-cased).
 * - `freezeScope`: a market from the config, or `all`.
 * - `freezeEnd`: a duration (`2h`, `3d`) or an ISO time with an offset.
 */
export type ArgumentKind = 'project' | 'market' | 'channel' | 'ref' | 'deployId' | 'count' | 'text' | 'topic' | 'freezeScope' | 'freezeEnd';

/** Kinds that take the rest of the line; such an argument must be the last one. */
export const REST_OF_LINE_KINDS: ReadonlySet<ArgumentKind> = new Set(['text', 'topic']);

/**
 * Which hosts a location-scoped verb acts on:
 * - `production`: the market's production location (all hosts, or those named with `--hosts`);
 * - `gray`: the production location's `grayHosts` (the market must have some);
 * - `review`: the review location whose key is the command's channel.
 */
export type CommandTarget = 'production' | 'gray' | 'review';

type FieldOf<V extends Verb> = Exclude<keyof CommandOf<V>, 'verb'> & string;

export interface ArgumentDeclaration<F extends string = string> {
  /** The Command field the value goes to. */
  field: F;
  kind: ArgumentKind;
  /** The name shown in usage; defaults from the kind (`project`, `deploy-id`, `n`, …). */
  label?: string;
  optional?: boolean;
  /** Value when an optional `count` is left out. */
  default?: number;
}

export interface FlagDeclaration<F extends string = string> {
  /** Written `--<name>`. */
  name: string;
  /** The Command field the value goes to. */
  field: F;
  /**
   * `boolean`: present or not (false when absent). `hosts`: comma-separated hosts of the
   * target location. `duration`: `30m`, `2h`, `3d` (milliseconds in the field). `when`: a
   * time for `--at` (docs/scheduling.md). `platforms`: comma-separated platforms of the market
   * (docs/platforms.md).
   */
  kind: 'boolean' | 'hosts' | 'duration' | 'when' | 'platforms';
  /** Shown in usage after the flag (`--hosts h1,h2`). */
  valueLabel?: string;
  summary: string;
}

interface DeclarationOf<V extends Verb> {
  verb: V;
  /** The words typed for the verb, lower case: `['gray', 'start']`; they join to `verb`. */
  words: readonly string[];
  /** Positional arguments in order; optional ones after required ones; a rest-of-line one last. */
  args: readonly ArgumentDeclaration<FieldOf<V>>[];
  flags: readonly FlagDeclaration<FieldOf<V>>[];
  /** One line, shown in help. */
  summary: string;
  /** It changes something (queues a job, writes state); a locked location refuses it unless it `passesLocks`. */
  sideEffects: boolean;
  /**
   * A recovery verb (rollback, gray cancel, review cancel, sync): a human lock does not stop it,
   * and its answer and progress say that it passed one (docs/operations.md "Human locks").
   * @defaultValue false
   */
  passesLocks?: boolean;
  /** It waits for an approval in a market with `approval` (docs/reference/approval-and-policy.md). */
  needsApproval: boolean;
  /** The market's `requiresPassIn` applies (docs/reference/approval-and-policy.md). */
  checksPassIn: boolean;
  /**
   * It has a prepare phase: the ref is resolved and built, or the target release chosen,
   * before any approval is asked (docs/commands.md). A verb that needs approval or
   * checks pass-in must prepare, since both happen there.
   */
  prepares: boolean;
  /**
   * Slack gives the verb's first word a slash command of its own (`/deploy`, `/gray`). Every
   * verb is typed after `/deploybot` too; only the release verbs have their own, since
   * generic names (`/status`, `/lock`) collide in real workspaces (docs/slack.md
   * "Slash commands"). All verbs of one first word agree.
   * @defaultValue false
   */
  slashCommand?: boolean;
  /**
   * The market's windows apply and `--at` schedules it (docs/scheduling.md).
   * @defaultValue false
   */
  windowed?: boolean;
  /**
   * It changes production, so a freeze refuses it; the ways back to safety leave it out (docs/scheduling.md#freezes).
   * @defaultValue false
   */
  frozen?: boolean;
  /** Where it acts; absent for verbs that are not location-scoped (docs/reference/vocabulary.md location). */
  target?: CommandTarget;
}

/** The declaration of one verb (or, without a type argument, of any verb). */
export type CommandDeclaration<V extends Verb = Verb> = V extends Verb ? DeclarationOf<V> : never;

/** Whether a verb acts on one location of a market (and so queues per (project, location)). */
export function isLocationScoped(declaration: CommandDeclaration): boolean {
  return declaration.target !== undefined;
}
