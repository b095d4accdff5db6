// Slack has one slash command per verb (`/deploy mala-core brazil v1.3`) plus `/deploybot`
// taking any command line (`/deploybot help`). Each becomes the same text a console or
// DingTalk user would type, so one grammar serves every platform.

export const SLASH_COMMANDS = [
  '/deploy', '/gray', '/review', '/rollback', '/approve', '/reject', '/retry', '/cancel',
  '/status', '/history', '/lock', '/unlock', '/deploybot',
] as const;

export type SlashCommand = (typeof SLASH_COMMANDS)[number];

/** The command line for the grammar: `/gray` + `start a b c` → `gray start a b c`; `/deploybot` + text → text. */
export function slashCommandText(command: string, text: string): string {
  const args = text.trim();
  const verb = command.replace(/^\//, '').toLowerCase();
  if (verb === 'deploybot') return args;
  return args === '' ? verb : `${verb} ${args}`;
}
