// Slack has `/deploybot` taking any command line (`/deploybot help`, `/deploybot lock …`),
// plus one slash command per first word of the verbs that declare `slashCommand: true`
// (`/deploy mala-core brazil v1.3`, `/gray start …`; docs/slack.md "Slash commands"). Each becomes the same text a
// console or DingTalk user would type, so one grammar serves every platform.
import type { CommandRegistry } from '../../core/command-registry.ts';

/** `/deploybot`: any command line. */
export const ANY_COMMAND_SLASH = '/deploybot';

/** The slash commands of `registry`'s verbs, in declaration order, then `/deploybot`. */
export function slashCommandsOf(registry: CommandRegistry): string[] {
  const words = registry.firstWords().filter((word) => registry.withFirstWord(word).every((d) => d.slashCommand === true));
  return [...words.map((word) => `/${word}`), ANY_COMMAND_SLASH];
}

/** The command line for the grammar: `/gray` + `start a b c` → `gray start a b c`; `/deploybot` + text → text. */
export function slashCommandText(command: string, text: string): string {
  const args = text.trim();
  const verb = command.replace(/^\//, '').toLowerCase();
  if (`/${verb}` === ANY_COMMAND_SLASH) return args;
  return args === '' ? verb : `${verb} ${args}`;
}
