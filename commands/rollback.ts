import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `rollback <project> <market> [<deploy-id>]` (docs/reference/command-grammar.md). */
export const rollback: CommandDeclaration<'rollback'> = {
  verb: 'rollback',
  words: ['rollback'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
    { field: 'deployId', kind: 'deployId', optional: true },
  ],
  flags: [],
  summary: 'switch production hosts back to the previous (or the named deploy\'s) release on disk; no upload',
  sideEffects: true,
  passesLocks: true,
  needsApproval: true,
  checksPassIn: false,
  prepares: true,
  slashCommand: true,
  target: 'production',
};
