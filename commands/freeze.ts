import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `freeze <market|all> <duration|ISO time> <reason…>` (docs/scheduling.md#freezes): the market's approvers; audited. */
export const freeze: CommandDeclaration<'freeze'> = {
  verb: 'freeze',
  words: ['freeze'],
  args: [
    { field: 'market', kind: 'freezeScope' },
    { field: 'until', kind: 'freezeEnd' },
    { field: 'reason', kind: 'text', label: 'reason' },
  ],
  flags: [],
  summary: 'refuse every change to production in <market> (all: every market) until <until> (2h, 3d or an ISO time), except rollback, gray cancel, review cancel and cancel',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
  slashCommand: false,
};
