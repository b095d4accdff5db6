import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `review cancel <project> <market> <channel>` (docs/reference/command-grammar.md). */
export const reviewCancel: CommandDeclaration<'review cancel'> = {
  verb: 'review cancel',
  words: ['review', 'cancel'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
    { field: 'channel', kind: 'channel' },
  ],
  flags: [],
  summary: 'remove release review-<channel>',
  sideEffects: true,
  passesLocks: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
  slashCommand: true,
  target: 'review',
};
