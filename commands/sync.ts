import type { CommandDeclaration } from '../src/core/command-types.ts';

/**
 * `sync <project> <market> [--hosts h1,h2] [--dry-run]` (docs/operations.md, "Hosts that join
 * or drift"). No approval (it restores what was approved) and it passes human locks: a lock
 * stops new releases, not the repair of hosts that left the recorded one.
 */
export const sync: CommandDeclaration<'sync'> = {
  verb: 'sync',
  words: ['sync'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
  ],
  flags: [
    { name: 'hosts', field: 'hosts', kind: 'hosts', valueLabel: 'h1,h2', summary: 'only these hosts of the production location' },
    { name: 'dry-run', field: 'dryRun', kind: 'boolean', summary: 'name the hosts that differ from their recorded release and change nothing' },
  ],
  summary: 'bring hosts that drifted, lost their release or are new to the recorded release',
  sideEffects: true,
  passesLocks: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
  // typed after `/deploybot` in Slack (`/deploybot sync …`): a repair, not a release verb of its own
  slashCommand: false,
  target: 'production',
};
