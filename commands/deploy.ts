import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `deploy <project> <market> <ref> [--hosts h1,h2] [--dry-run] [--platforms p1,p2]` (docs/reference/command-grammar.md). */
export const deploy: CommandDeclaration<'deploy'> = {
  verb: 'deploy',
  words: ['deploy'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
    { field: 'ref', kind: 'ref' },
  ],
  flags: [
    { name: 'hosts', field: 'hosts', kind: 'hosts', valueLabel: 'h1,h2', summary: 'only these hosts of the production location' },
    { name: 'dry-run', field: 'dryRun', kind: 'boolean', summary: 'show the plan (hosts, release id, prune, hooks, free disk) and change nothing' },
    { name: 'at', field: 'at', kind: 'when', valueLabel: 'when', summary: 'run at that time: ISO with an offset, HH:MM in market time, or next-window (docs/scheduling.md)' },
    { name: 'platforms', field: 'platforms', kind: 'platforms', valueLabel: 'aqq,awx', summary: 'only these platforms of the market (docs/platforms.md); default: all of them' },
  ],
  summary: 'release <ref> to the production location and record it as the production release',
  sideEffects: true,
  needsApproval: true,
  checksPassIn: true,
  prepares: true,
  slashCommand: true,
  windowed: true,
  frozen: true,
  target: 'production',
};
