import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `gray start <project> <market> <ref>` (docs/reference/command-grammar.md, docs/reference/release-rules.md). */
export const grayStart: CommandDeclaration<'gray start'> = {
  verb: 'gray start',
  words: ['gray', 'start'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
    { field: 'ref', kind: 'ref' },
  ],
  flags: [
    { name: 'at', field: 'at', kind: 'when', valueLabel: 'when', summary: 'run at that time: ISO with an offset, HH:MM in market time, or next-window (docs/scheduling.md)' },
  ],
  summary: "release <ref> to the production location's gray hosts only, as release gray",
  sideEffects: true,
  needsApproval: true,
  checksPassIn: true,
  prepares: true,
  slashCommand: true,
  windowed: true,
  frozen: true,
  target: 'gray',
};
