import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `review start <project> <market> <channel> <ref>` (docs/reference/command-grammar.md); review locations are isolated: no approval. */
export const reviewStart: CommandDeclaration<'review start'> = {
  verb: 'review start',
  words: ['review', 'start'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
    { field: 'channel', kind: 'channel' },
    { field: 'ref', kind: 'ref' },
  ],
  flags: [],
  summary: 'release <ref> to the review location of <channel> as release review-<channel>',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: true,
  slashCommand: true,
  target: 'review',
};
