import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `unfreeze <market|all>` (docs/scheduling.md#freezes): lifts a chat freeze; the market's approvers; audited. */
export const unfreeze: CommandDeclaration<'unfreeze'> = {
  verb: 'unfreeze',
  words: ['unfreeze'],
  args: [{ field: 'market', kind: 'freezeScope' }],
  flags: [],
  summary: 'lift the chat freeze of the market (planned freezes in the config stay)',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
  slashCommand: false,
};
