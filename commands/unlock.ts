import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `unlock <project> <market>`: by whoever locked it or an approver of the market (docs/operations.md "Human locks"). */
export const unlock: CommandDeclaration<'unlock'> = {
  verb: 'unlock',
  words: ['unlock'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
  ],
  flags: [],
  summary: 'lift a lock: whoever locked it, or an approver of the market',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
};
