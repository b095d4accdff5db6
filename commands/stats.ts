import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `stats <project> [<market>] [<days>]`: the DORA figures (docs/deploy-page.md); days from 1 to 100, default 30. */
export const stats: CommandDeclaration<'stats'> = {
  verb: 'stats',
  words: ['stats'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market', optional: true },
    { field: 'days', kind: 'count', label: 'days', optional: true, default: 30 },
  ],
  flags: [],
  summary: 'deployment frequency, lead time, change failure rate and recovery time of production over the last days (default 30)',
  sideEffects: false,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
  slashCommand: false,
};
