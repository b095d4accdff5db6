import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `cancel <deploy-id>` (SPEC §3). */
export const cancel: CommandDeclaration<'cancel'> = {
  verb: 'cancel',
  words: ['cancel'],
  args: [{ field: 'deployId', kind: 'deployId' }],
  flags: [],
  summary: 'stop a queued or running deploy at the next safe point',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
};
