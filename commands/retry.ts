import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `retry <deploy-id>`: finishes an approved plan, so no new approval (docs/reference/approval-and-policy.md). */
export const retry: CommandDeclaration<'retry'> = {
  verb: 'retry',
  words: ['retry'],
  args: [{ field: 'deployId', kind: 'deployId' }],
  flags: [],
  summary: 'run again only the hosts and steps that failed',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  frozen: true,
  prepares: false,
};
