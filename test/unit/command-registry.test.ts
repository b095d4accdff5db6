import { describe, expect, it } from 'vitest';
import { commandDeclarations } from '../../commands/index.ts';
import { CommandRegistry } from '../../src/core/command-registry.ts';
import type { CommandDeclaration } from '../../src/core/command-types.ts';
import { isLocationScoped } from '../../src/core/command-types.ts';

const base = { flags: [], summary: 's', sideEffects: false, needsApproval: false, checksPassIn: false, prepares: false } as const;
const registry = new CommandRegistry(commandDeclarations);
const findDeclaration = registry.find.bind(registry);

function problemsOf(declarations: readonly unknown[]): string {
  try {
    new CommandRegistry(declarations as CommandDeclaration[]);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('CommandRegistry', () => {
  it('when the project declarations are loaded, then they do not clash', () => {
    expect(problemsOf(commandDeclarations)).toBe('');
  });

  it('when asked for a verb, then its declaration is returned', () => {
    expect(findDeclaration('gray start').words).toEqual(['gray', 'start']);
    expect(findDeclaration('deploy').flags.map((f) => f.name)).toEqual(['hosts', 'dry-run', 'at', 'platforms']);
  });

  it('records which verbs need approval and requiresPassIn (docs/reference/approval-and-policy.md)', () => {
    const approval = commandDeclarations.filter((d) => d.needsApproval).map((d) => d.verb);
    expect(approval.sort()).toEqual(['deploy', 'gray promote', 'gray start', 'review promote', 'rollback']);
    expect(commandDeclarations.filter((d) => d.checksPassIn).map((d) => d.verb).sort()).toEqual(['deploy', 'gray start']);
    expect(commandDeclarations.filter((d) => !d.sideEffects).map((d) => d.verb).sort()).toEqual(['help', 'history', 'stats', 'status']);
  });

  it('records the target location of location-scoped verbs', () => {
    expect(findDeclaration('deploy').target).toBe('production');
    expect(findDeclaration('rollback').target).toBe('production');
    expect(findDeclaration('gray start').target).toBe('gray');
    expect(findDeclaration('review cancel').target).toBe('review');
    expect(isLocationScoped(findDeclaration('approve'))).toBe(false);
  });

  it('records which verbs prepare (resolve, build or choose a release before any approval)', () => {
    expect(commandDeclarations.filter((d) => d.prepares).map((d) => d.verb).sort()).toEqual(['deploy', 'gray promote', 'gray start', 'review promote', 'review start', 'rollback']);
  });

  it('when a verb needs approval or checks pass-in but does not prepare, then loading fails: the check would be skipped', () => {
    const lock = { ...base, sideEffects: true, verb: 'lock', words: ['lock'], args: [] };
    expect(problemsOf([{ ...lock, needsApproval: true }])).toContain('"lock": needsApproval/checksPassIn without prepares');
    expect(problemsOf([{ ...lock, checksPassIn: true }])).toContain('"lock": needsApproval/checksPassIn without prepares');
    expect(problemsOf([{ ...base, verb: 'status', words: ['status'], args: [], prepares: true }])).toContain('"status": prepares without sideEffects');
  });

  it('when the verbs of one first word disagree on their slash command, then loading fails', () => {
    const start = { ...base, verb: 'gray start', words: ['gray', 'start'], args: [] };
    const cancel = { ...base, verb: 'gray cancel', words: ['gray', 'cancel'], args: [], slashCommand: true };
    expect(problemsOf([start, cancel])).toContain('the verbs of "gray" disagree on slashCommand');
  });

  it('when two declarations are typed the same, then loading fails naming them', () => {
    const one = { ...base, verb: 'status', words: ['status'], args: [] };
    expect(problemsOf([one, { ...one }])).toContain('typed as "status"');
  });

  it('when one verb is a prefix of another, then loading fails', () => {
    const gray = { ...base, verb: 'gray', words: ['gray'], args: [] };
    const grayStart = { ...base, verb: 'gray start', words: ['gray', 'start'], args: [] };
    expect(problemsOf([gray, grayStart])).toContain('"gray" is a prefix of "gray start"');
  });

  it('when words do not spell the verb or arguments are out of order, then loading fails listing each problem', () => {
    const bad = {
      ...base,
      verb: 'lock',
      words: ['Lock'],
      args: [
        { field: 'reason', kind: 'text' },
        { field: 'market', kind: 'market', optional: true },
        { field: 'project', kind: 'project' },
        { field: 'project', kind: 'project' },
      ],
    };
    const message = problemsOf([bad]);
    expect(message).toContain('lower-case');
    expect(message).toContain('do not spell');
    expect(message).toContain('rest of the line but is not last');
    expect(message).toContain('follows an optional one');
    expect(message).toContain('needs a project argument before it');
    expect(message).toContain('filled twice');
  });

  it('when a hosts flag is on a verb without a target, then loading fails', () => {
    const bad = { ...base, verb: 'status', words: ['status'], args: [], flags: [{ name: 'hosts', field: 'hosts', kind: 'hosts', summary: 'x' }] };
    expect(problemsOf([bad])).toContain('no target location');
  });
});
