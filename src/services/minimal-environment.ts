// The one minimal environment for programs the bot starts on this machine (docs/operations.md,
// "Security": worker hooks get a minimal environment, never the bot's).
/**
 * The environment of commands run on this machine (worker hooks, build command, hooks of
 * local hosts): PATH, HOME and LANG only — never the bot's own environment, which holds
 * secrets.
 */
export function minimalEnvironment(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    PATH: base.PATH || '/usr/local/bin:/usr/bin:/bin',
    HOME: base.HOME || '/',
    LANG: base.LANG || 'C.UTF-8',
  };
}
