import { describe, expect, it } from 'vitest';
import { commandDeclarations } from '../../commands/index.ts';
import { formatUsage } from '../../src/core/format-usage.ts';
import { renderHelp } from '../../src/core/render-help.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';

const commands = projectCommands();

describe('renderHelp', () => {
  it('when no topic is given, then every verb is listed with its usage and summary', () => {
    const help = renderHelp(commands);
    for (const declaration of commandDeclarations) {
      expect(help).toContain(`${formatUsage(declaration)} — ${declaration.summary}`);
    }
    expect(help).toContain('deploy <project> <market> <ref> [--hosts h1,h2] [--dry-run] [--at when]');
    expect(help).toContain('review start <project> <market> <channel> <ref>');
    expect(help).toContain('rollback <project> <market> [<deploy-id>]');
    expect(help).toContain('reject <deploy-id> [reason…]');
    expect(help).toContain('history <project> <market> [n]');
    expect(help).toContain('lock <project> <market> <reason…>');
    expect(help).toContain('help [verb]');
    expect(renderHelp(commands, '')).toBe(help);
    expect(renderHelp(commands, '   ')).toBe(help);
  });

  it('when the topic is a verb, then that verb is shown with its arguments, flags and policy', () => {
    const help = renderHelp(commands, 'deploy');
    expect(help.split('\n')[0]).toBe('usage: deploy <project> <market> <ref> [--hosts h1,h2] [--dry-run] [--at when] [--platforms aqq,awx]');
    expect(help).toContain('--hosts h1,h2');
    expect(help).toContain('--dry-run');
    expect(help).toContain('<ref>');
    expect(help).toContain('needs approval');
    expect(help).toContain('requiresPassIn');
    expect(help).not.toContain('gray start');
  });

  it('when the topic is a two-word verb, in any case or with a slash, then only that verb is shown', () => {
    const help = renderHelp(commands, 'gray start');
    expect(help.split('\n')[0]).toBe('usage: gray start <project> <market> <ref> [--at when] [--platforms aqq,awx]');
    expect(help).not.toContain('gray cancel');
    expect(renderHelp(commands, '/Gray  START')).toBe(help);
  });

  it('when the topic is a verb group, then every verb of the group is shown', () => {
    const help = renderHelp(commands, 'gray');
    expect(help).toContain('usage: gray start');
    expect(help).toContain('usage: gray cancel');
    expect(help).toContain('usage: gray promote');
    expect(help).not.toContain('usage: deploy');
    expect(renderHelp(commands, 'review')).toContain('usage: review promote <project> <market> <channel>');
  });

  it('when a verb needs no approval or changes nothing, then its help says so', () => {
    expect(renderHelp(commands, 'gray cancel')).not.toContain('needs approval');
    expect(renderHelp(commands, 'status')).toContain('changes nothing');
    expect(renderHelp(commands, 'history')).toContain('default 10');
  });

  it('when the topic is unknown, then the answer names it and lists the topics', () => {
    const help = renderHelp(commands, 'frobnicate');
    expect(help).toMatch(/^no help for "frobnicate"/);
    expect(help).toContain('deploy, gray, review');
    expect(help.split('\n')).toHaveLength(1);
    expect(renderHelp(commands, 'gray stop')).toContain('"gray stop"');
    expect(renderHelp(commands, 'x\ny')).toContain('"x\\ny"');
  });
});
