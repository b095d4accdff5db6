import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `lock <project> <market> [--for 2h] <reason…>`: a human lock with a reason and an author (docs/operations.md "Human locks"). */
export const lock: CommandDeclaration<'lock'> = {
  verb: 'lock',
  words: ['lock'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
    { field: 'reason', kind: 'text', label: 'reason' },
  ],
  flags: [{ name: 'for', field: 'forMs', kind: 'duration', valueLabel: '2h', summary: 'the lock lifts by itself after this long (30m, 2h, 3d; at most 30d)' }],
  summary: 'nobody deploys there until unlock (recovery verbs still pass); the reason is shown to whoever tries',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
};
