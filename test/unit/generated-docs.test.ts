import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commandDeclarations } from '../../commands/index.ts';
import { renderCommandReference, renderSlackManifest } from '../../src/docs/render-docs.ts';

const root = join(import.meta.dirname, '../..');

describe('documents generated from the command declarations', () => {
  it('when the declarations change, then the committed manifest.yaml and docs/commands.md must be regenerated (npm run docs)', () => {
    expect(readFileSync(join(root, 'manifest.yaml'), 'utf8')).toBe(renderSlackManifest());
    expect(readFileSync(join(root, 'docs/commands.md'), 'utf8')).toBe(renderCommandReference());
  });

  it('the manifest is valid YAML with a slash command for every verb, interactivity and the scopes the bot uses', () => {
    const manifest = parse(readFileSync(join(root, 'manifest.yaml'), 'utf8'));
    const slash = (manifest.features.slash_commands as { command: string; usage_hint: string }[]);
    const words = new Set(slash.map((s) => s.command.slice(1)));
    for (const declaration of commandDeclarations) {
      if (declaration.verb === 'help') continue;
      expect(words, declaration.verb).toContain(declaration.words[0]);
    }
    expect(words).toContain('deploybot');
    for (const sub of ['start', 'cancel', 'promote']) expect(slash.find((s) => s.command === '/gray')?.usage_hint).toContain(sub);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write', 'files:write']));
  });
});
