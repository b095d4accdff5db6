import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `gray start <project> <market> <ref> [--platforms p1,p2]` (docs/reference/command-grammar.md, docs/reference/release-rules.md). */
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
    { name: 'platforms', field: 'platforms', kind: 'platforms', valueLabel: 'aqq,awx', summary: 'only these platforms of the market (docs/platforms.md); default: all of them' },
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
