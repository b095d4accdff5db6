// The command declarations are the one source of the runtime's policy (docs/commands.md):
// a registry built with one declaration changed makes the bot behave differently end to end.
// Local hosts, real Redis and workers, the embedded release store.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { commandDeclarations } from '../../commands/index.ts';
import { CommandRegistry } from '../../src/core/command-registry.ts';
import type { CommandDeclaration } from '../../src/core/command-types.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function withChanged(verb: string, change: Partial<CommandDeclaration>): CommandRegistry {
  return new CommandRegistry(commandDeclarations.map((d) => (d.verb === verb ? { ...d, ...change } : d)) as CommandDeclaration[]);
}

async function bot(commands?: CommandRegistry): Promise<{ h: JobHarness; repo: TestRepo; online: (host: string) => string }> {
  const base = mkdtempSync(join(tmpdir(), 'deploybot-declared-'));
  const repo = makeGitRepo(join(base, 'repo'));
  const h = await startJobHarness({ config: marketTestConfig(base, repo.dir), redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), ...(commands ? { commands } : {}) });
  cleanups.push(async () => {
    await h.close();
    rmSync(base, { recursive: true, force: true });
  });
  return { h, repo, online: (host) => basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core'))) };
}

/** v1 then v2 on brazil (each passed on dev first, each approved by bob). */
async function releaseTwiceOnBrazil(h: JobHarness): Promise<void> {
  for (const tag of ['v1', 'v2']) {
    expect((await h.settle(await h.request('alice', `deploy mala-core dev ${tag}`))).state).toBe('success');
    const id = await h.request('alice', `deploy mala-core brazil ${tag}`);
    expect((await h.settle(id)).state).toBe('awaiting-approval');
    await h.say('bob', `approve ${id}`);
    expect((await h.settle(id)).state).toBe('success');
  }
}

describe('declarations drive the runtime', () => {
  it('when rollback is declared with needsApproval: false, then a rollback in a market with approval runs at once without a card', async () => {
    const { h, repo, online } = await bot(withChanged('rollback', { needsApproval: false }));
    await releaseTwiceOnBrazil(h);
    expect(online('br-1')).toContain(repo.commits.v2!.slice(0, 7));

    const answer = await h.say('alice', 'rollback mala-core brazil');
    expect(answer.private.join('\n')).not.toContain('ask for approval');
    const rolledBack = await h.settle(answer.deployIds[0]!);
    expect(rolledBack).toMatchObject({ state: 'success' });
    expect(rolledBack.approval).toBeUndefined();
    expect(online('br-1')).toContain(repo.commits.v1!.slice(0, 7));
  });

  it('when rollback keeps its declaration (needsApproval: true), then the same rollback waits for an approval and the hosts stay', async () => {
    const { h, repo, online } = await bot();
    await releaseTwiceOnBrazil(h);

    const answer = await h.say('alice', 'rollback mala-core brazil');
    expect(answer.private.join('\n')).toContain('it will ask for approval once its plan is ready');
    expect(await h.settle(answer.deployIds[0]!)).toMatchObject({ state: 'awaiting-approval', approval: { approvedBy: [] } });
    expect(online('br-1')).toContain(repo.commits.v2!.slice(0, 7));
  });

  it('when deploy is declared with checksPassIn: false, then a commit not yet on dev reaches the approval card in brazil instead of being refused', async () => {
    const declared = await bot();
    const refused = await declared.h.settle(await declared.h.request('alice', 'deploy mala-core brazil v1'));
    expect(refused.state).toBe('refused');
    expect(refused.reason).toContain('requiresPassIn: dev');

    const flipped = await bot(withChanged('deploy', { checksPassIn: false }));
    expect((await flipped.h.settle(await flipped.h.request('alice', 'deploy mala-core brazil v1'))).state).toBe('awaiting-approval');
  });
});
