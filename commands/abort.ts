import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `abort <deploy-id>`: the paused card's Roll back button (docs/commands.md). */
export const abort: CommandDeclaration<'abort'> = {
  verb: 'abort',
  words: ['abort'],
  args: [{ field: 'deployId', kind: 'deployId' }],
  flags: [],
  summary: 'switch every host a running or paused rollout switched back to its previous release; ends rolled-back',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
  slashCommand: false,
};
