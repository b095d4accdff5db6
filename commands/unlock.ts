import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `unlock <project> <market>` (docs/reference/command-grammar.md). */
export const unlock: CommandDeclaration<'unlock'> = {
  verb: 'unlock',
  words: ['unlock'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
  ],
  flags: [],
  summary: 'lift a lock',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
};
