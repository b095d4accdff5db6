import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `pause <deploy-id>`: a progressive rollout stops after the current wave (docs/commands.md). */
export const pause: CommandDeclaration<'pause'> = {
  verb: 'pause',
  words: ['pause'],
  args: [{ field: 'deployId', kind: 'deployId' }],
  flags: [],
  summary: 'stop a rolling-out deploy after its current wave, until resume or abort',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
  slashCommand: false,
};
