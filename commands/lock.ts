import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `lock <project> <market> <reason…>`: a human lock with a reason and an author (docs/reference/command-grammar.md). */
export const lock: CommandDeclaration<'lock'> = {
  verb: 'lock',
  words: ['lock'],
  args: [
    { field: 'project', kind: 'project' },
    { field: 'market', kind: 'market' },
    { field: 'reason', kind: 'text', label: 'reason' },
  ],
  flags: [],
  summary: 'nobody deploys there until unlock; the reason is shown to whoever tries',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
};
