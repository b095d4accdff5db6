import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `history <project> <market> [n]`: n from 1 to 100, default 10. */
export const history: CommandDeclaration<'history'> = {
  verb: 'history',
  words: ['history'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
    { field: 'limit', kind: 'count', label: 'n', optional: true, default: 10 },
  ],
  flags: [],
  summary: 'the last n deploys (default 10, at most 100) with outcome and duration',
  sideEffects: false,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
};
