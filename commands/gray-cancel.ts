import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `gray cancel <project> <market>` (docs/reference/command-grammar.md, docs/reference/release-rules.md); no approval: it is the way back to safety. */
export const grayCancel: CommandDeclaration<'gray cancel'> = {
  verb: 'gray cancel',
  words: ['gray', 'cancel'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
  ],
  flags: [],
  summary: 'switch the gray hosts back to the production version and remove release gray',
  sideEffects: true,
  passesLocks: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
  slashCommand: true,
  target: 'gray',
};
