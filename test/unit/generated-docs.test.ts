import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commandDeclarations } from '../../commands/index.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';
import { CommandRegistry } from '../../src/core/command-registry.ts';
import type { CommandDeclaration } from '../../src/core/command-types.ts';
import { renderCommandReference, renderSlackManifest } from '../../src/docs/render-docs.ts';

const root = join(import.meta.dirname, '../..');
const commands = projectCommands();

function slashCommands(manifest: string): string[] {
  return (parse(manifest).features.slash_commands as { command: string }[]).map((s) => s.command);
}

function withChanged(verb: string, change: Partial<CommandDeclaration>): CommandRegistry {
  return new CommandRegistry(commandDeclarations.map((d) => (d.verb === verb ? { ...d, ...change } : d)) as CommandDeclaration[]);
}

describe('documents generated from the command declarations', () => {
  it('when the declarations change, then the committed manifest.yaml and docs/commands.md must be regenerated (npm run docs)', () => {
    expect(readFileSync(join(root, 'manifest.yaml'), 'utf8')).toBe(renderSlackManifest(commands));
    expect(readFileSync(join(root, 'docs/commands.md'), 'utf8')).toBe(renderCommandReference(commands));
  });

  it('the manifest is valid YAML with a slash command for each release verb, /deploybot, interactivity and the scopes the bot uses', () => {
    const manifest = parse(readFileSync(join(root, 'manifest.yaml'), 'utf8'));
    const slash = (manifest.features.slash_commands as { command: string; usage_hint: string }[]);
    expect(slash.map((s) => s.command)).toEqual([
      '/deploy', '/gray', '/review', '/rollback', '/deploybot',
    ]);
    for (const sub of ['start', 'cancel', 'promote']) expect(slash.find((s) => s.command === '/gray')?.usage_hint).toContain(sub);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write', 'files:write']));
  });

  it('when a verb declares slashCommand: false, then the manifest has no slash command for it; when status declares one, then /status appears', () => {
    expect(slashCommands(renderSlackManifest(withChanged('rollback', { slashCommand: false })))).not.toContain('/rollback');
    expect(slashCommands(renderSlackManifest(withChanged('status', { slashCommand: true })))).toContain('/status');
    expect(slashCommands(renderSlackManifest(withChanged('help', { slashCommand: true })))).toContain('/help');
  });

  it('when a declaration changes its policy, then the command reference shows the new policy', () => {
    const row = (reference: string) => reference.split('\n').find((line) => line.startsWith('| `rollback '))!;
    expect(row(renderCommandReference(commands))).toMatch(/\| yes, passes locks \| yes \| yes \| no \|$/);
    expect(row(renderCommandReference(withChanged('rollback', { needsApproval: false })))).toMatch(/\| yes, passes locks \| yes \| no \| no \|$/);
    expect(row(renderCommandReference(withChanged('rollback', { passesLocks: false })))).toMatch(/\| yes \| yes \| yes \| no \|$/);
  });
});
