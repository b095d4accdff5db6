import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `review promote <project> <market> <channel>` (docs/reference/command-grammar.md, docs/reference/release-rules.md): no deploy, no downtime. */
export const reviewPromote: CommandDeclaration<'review promote'> = {
  verb: 'review promote',
  words: ['review', 'promote'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
    { field: 'channel', kind: 'channel' },
  ],
  flags: [
    { name: 'at', field: 'at', kind: 'when', valueLabel: 'when', summary: 'run at that time: ISO with an offset, HH:MM in market time, or next-window (docs/scheduling.md)' },
  ],
  summary: 'append the review versions of <channel> to production (no deploy, no downtime)',
  sideEffects: true,
  needsApproval: true,
  checksPassIn: false,
  prepares: true,
  slashCommand: true,
  windowed: true,
  frozen: true,
  target: 'review',
};
