import type { CommandDeclaration } from '../src/core/command-types.ts';

/**
 * `gray promote <project> <market>` (docs/reference/command-grammar.md, docs/reference/release-rules.md). Its target is the gray release; the job
 * then deploys that build to every host of the production location.
 */
export const grayPromote: CommandDeclaration<'gray promote'> = {
  verb: 'gray promote',
  words: ['gray', 'promote'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
  ],
  flags: [
    { name: 'at', field: 'at', kind: 'when', valueLabel: 'when', summary: 'run at that time: ISO with an offset, HH:MM in market time, or next-window (docs/scheduling.md)' },
  ],
  summary: 'make the gray build production: deploy it to all production hosts, append its version, remove gray',
  sideEffects: true,
  needsApproval: true,
  checksPassIn: false,
  prepares: true,
  slashCommand: true,
  windowed: true,
  frozen: true,
  target: 'gray',
};
