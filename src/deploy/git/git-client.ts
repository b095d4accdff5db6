// simple-git bound to one directory, with git's environment kept minimal (never the bot's
// own environment) and prompts off, so a private repo without credentials fails instead of
// hanging.
import { simpleGit, type SimpleGit } from 'simple-git';
import { minimalEnvironment } from '../hook-variables.ts';

export function gitClient(baseDir: string, timeoutMs = 300_000): SimpleGit {
  return simpleGit({ baseDir, timeout: { block: timeoutMs }, allowEnvironment: ['GIT_TERMINAL_PROMPT', 'GIT_CONFIG_NOSYSTEM'] }).env({
    ...minimalEnvironment(),
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
  });
}
