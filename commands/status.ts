import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `status <project> [<market>]` (docs/reference/command-grammar.md). */
export const status: CommandDeclaration<'status'> = {
  verb: 'status',
  words: ['status'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market', optional: true },
  ],
  flags: [],
  summary: 'per release: version, commit, when, by whom; per host: its current release; drift flagged',
  sideEffects: false,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
};
