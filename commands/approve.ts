import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `approve <deploy-id>`: the card's Approve button, same rules (docs/reference/approval-and-policy.md). */
export const approve: CommandDeclaration<'approve'> = {
  verb: 'approve',
  words: ['approve'],
  args: [{ field: 'deployId', kind: 'deployId' }],
  flags: [],
  summary: 'approve a deploy waiting for approval (same as its card\'s button)',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
};
