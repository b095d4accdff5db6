import type { CommandDeclaration } from '../src/core/command-types.ts';

/** `help [verb]`: a verb (`deploy`, `gray start`) or a group (`gray`). */
export const help: CommandDeclaration<'help'> = {
  verb: 'help',
  words: ['help'],
  args: [{ field: 'topic', kind: 'topic', label: 'verb', optional: true }],
  flags: [],
  summary: 'list the commands, or show one command or group in detail',
  sideEffects: false,
  needsApproval: false,
  checksPassIn: false,
  prepares: false,
};
