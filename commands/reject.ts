import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `reject <deploy-id> [reason…]`: the card's Reject button, same rules (docs/reference/approval-and-policy.md). */
export const reject: CommandDeclaration<'reject'> = {
  verb: 'reject',
  words: ['reject'],
  args: [
    { field: 'deployId', kind: 'deployId' },
    { field: 'reason', kind: 'text', label: 'reason', optional: true },
  ],
  flags: [],
  summary: 'reject a deploy waiting for approval, with an optional reason',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
};
