import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `resume <deploy-id>`: the paused card's Resume button (docs/commands.md). */
export const resume: CommandDeclaration<'resume'> = {
  verb: 'resume',
  words: ['resume'],
  args: [{ field: 'deployId', kind: 'deployId' }],
  flags: [],
  summary: 'continue a paused rollout with its next wave (unhealthy hosts so far are accepted)',
  sideEffects: true,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
  slashCommand: false,
};
