import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `cancel <deploy-id> [--force]` (docs/reference/command-grammar.md). */
export const cancel: CommandDeclaration<'cancel'> = {
  verb: 'cancel',
  words: ['cancel'],
  args: [{ field: 'deployId', kind: 'deployId' }],
  flags: [{ name: 'force', field: 'force', kind: 'boolean', summary: "end it now, in any unfinished state (the market's approvers); its location is free at once" }],
  summary: 'stop a queued or running deploy at the next safe point',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
};
