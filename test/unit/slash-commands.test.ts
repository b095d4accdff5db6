// Slack slash commands (docs/slack.md "Slash commands"): only the release verbs have their own;
// every verb, those included, works after `/deploybot`.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfig } from '../../config/load-config.ts';
import { slashCommandsOf, slashCommandText } from '../../src/adapters/slack/slash-command-text.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';
import type { ArgumentKind } from '../../src/core/command-types.ts';
import { parseCommand } from '../../src/core/parse-command.ts';

const registry = projectCommands();
const loaded = loadConfig(fileURLToPath(new URL('../../config/deploybot.example.yaml', import.meta.url)));
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const config = loaded.config;

const SAMPLE: Record<ArgumentKind, string> = {
  project: 'mala-core',
  market: 'brazil',
  channel: 'appstore',
  ref: 'v1.3',
  deployId: 'd-20261121-0001',
  count: '5',
  text: 'store review in progress',
  topic: 'deploy',
  freezeScope: 'brazil',
  freezeEnd: '2h',
};

describe('Slack slash commands', () => {
  it('when the manifest is generated, then it declares /deploy, /gray, /review, /rollback and /deploybot only', () => {
    expect(slashCommandsOf(registry)).toEqual(['/deploy', '/gray', '/review', '/rollback', '/deploybot']);
    const manifest = parse(readFileSync(new URL('../../manifest.yaml', import.meta.url), 'utf8')) as { features: { slash_commands: Array<{ command: string; usage_hint: string }> } };
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(slashCommandsOf(registry));
    expect(manifest.features.slash_commands.at(-1)!.usage_hint).toContain('lock, unlock');
  });

  it('when any declared verb is typed after /deploybot, then it parses as that verb', () => {
    for (const declaration of registry.declarations) {
      const args = declaration.args.filter((a) => !a.optional).map((a) => SAMPLE[a.kind]);
      const line = slashCommandText('/deploybot', ` ${[...declaration.words, ...args].join(' ')} `);
      const result = parseCommand(registry, line, config);
      expect(result.ok ? result.command.verb : result.error, line).toBe(declaration.verb);
    }
  });

  it('when a release verb has its own slash command, then it reads the same as under /deploybot', () => {
    expect(slashCommandText('/gray', 'start mala-core brazil v1.3')).toBe(slashCommandText('/deploybot', 'gray start mala-core brazil v1.3'));
    expect(slashCommandText('/Rollback', '')).toBe('rollback');
  });
});
