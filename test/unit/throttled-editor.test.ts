import { describe, expect, it } from 'vitest';
import type { MessageRef } from '../../src/core/chat-types.ts';
import { MemoryChatBudget } from '../../src/notify/memory-chat-budget.ts';
import { ThrottledEditor } from '../../src/notify/throttled-editor.ts';
import { ManualClock, settle } from '../fakes/manual-clock.ts';

class RateLimited extends Error {
  constructor(readonly retryAfterMs: number) {
    super('rate limited');
  }
}

interface Sent {
  at: number;
  id: string;
  state: string;
}

/** An editor whose sender records each edit; `failures` decides how the next calls fail. */
function setup(options: { finalAttempts?: number } = {}) {
  const clock = new ManualClock();
  const sent: Sent[] = [];
  const failures: Array<Error> = [];
  const start = clock.now();
  const editor = new ThrottledEditor<string>({
    clock,
    budget: new MemoryChatBudget({ clock }),
    finalAttempts: options.finalAttempts ?? 5,
    rateLimitDelay: (error) => (error instanceof RateLimited ? error.retryAfterMs : undefined),
    send: async (ref, state) => {
      const failure = failures.shift();
      if (failure) throw failure;
      sent.push({ at: clock.now() - start, id: ref.id, state });
    },
  });
  return { clock, sent, failures, editor };
}

const a: MessageRef = { channel: 'C1', id: 'a' };
const b: MessageRef = { channel: 'C1', id: 'b' };

describe('ThrottledEditor', () => {
  it('sends the first state at once, then at most one edit per second with only the latest state', async () => {
    const { clock, sent, editor } = setup();
    editor.update(a, 's1');
    await settle();
    editor.update(a, 's2');
    editor.update(a, 's3');
    await clock.advance(500);
    editor.update(a, 's4');
    await clock.advance(499);
    expect(sent).toEqual([{ at: 0, id: 'a', state: 's1' }]);
    await clock.advance(1);
    expect(sent).toEqual([{ at: 0, id: 'a', state: 's1' }, { at: 1000, id: 'a', state: 's4' }]);
    await clock.advance(5000);
    expect(sent).toHaveLength(2);
  });

  it('throttles each message on its own', async () => {
    const { clock, sent, editor } = setup();
    editor.update(a, 'a1');
    editor.update(b, 'b1');
    await settle();
    editor.update(a, 'a2');
    editor.update(b, 'b2');
    await clock.advance(1000);
    expect(sent.map((s) => `${s.at}:${s.state}`)).toEqual(['0:a1', '0:b1', '1000:a2', '1000:b2']);
  });

  it('shares one budget across all messages', async () => {
    const clock = new ManualClock();
    const budget = new MemoryChatBudget({ clock });
    const sent: string[] = [];
    const editor = new ThrottledEditor<string>({ clock, budget, windowsFor: () => [{ key: 'w', limit: 3, windowMs: 60_000 }], send: async (ref, state) => void sent.push(`${ref.id}:${state}`) });
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm5']) editor.update({ channel: 'C1', id }, 'x');
    await clock.advance(60_999); // the window and its 1 s guard
    expect(sent).toEqual(['m1:x', 'm2:x', 'm3:x']);
    await clock.advance(1);
    expect(sent).toHaveLength(5);
  });

  it('when an edit is rate-limited, then every message waits Retry-After and the latest state is sent', async () => {
    const { clock, sent, failures, editor } = setup();
    failures.push(new RateLimited(30_000));
    editor.update(a, 'a1');
    await settle();
    editor.update(a, 'a2');
    editor.update(b, 'b1');
    await clock.advance(29_999);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(sent.map((s) => `${s.at}:${s.state}`)).toEqual(['30000:a2', '30000:b1']);
  });

  it('when a rate-limited edit has no newer state, then that state is sent after Retry-After', async () => {
    const { clock, sent, failures, editor } = setup();
    failures.push(new RateLimited(2000));
    editor.update(a, 'only');
    await clock.advance(2000);
    expect(sent).toEqual([{ at: 2000, id: 'a', state: 'only' }]);
  });

  it('finish resolves once the final state has landed, through rate limits, and later updates are ignored', async () => {
    const { clock, sent, failures, editor } = setup();
    editor.update(a, 'progress');
    await settle();
    failures.push(new RateLimited(5000), new RateLimited(5000));
    let done = false;
    const finished = editor.finish(a, 'final').then(() => {
      done = true;
    });
    editor.update(a, 'too late');
    await clock.advance(1000);
    expect(done).toBe(false);
    await clock.advance(9999);
    expect(done).toBe(false);
    await clock.advance(1);
    await finished;
    expect(sent.map((s) => `${s.at}:${s.state}`)).toEqual(['0:progress', '11000:final']);
    expect(editor.pending).toBe(0);
  });

  it('after the final edit has landed, the message starts over, still at most one edit per second', async () => {
    const { clock, sent, editor } = setup();
    await editor.finish(a, 'awaiting approval');
    editor.update(a, 'approved, running');
    await clock.advance(999);
    expect(sent.map((s) => s.state)).toEqual(['awaiting approval']);
    await clock.advance(1);
    expect(sent.map((s) => `${s.at}:${s.state}`)).toEqual(['0:awaiting approval', '1000:approved, running']);
  });

  it('retries a failing final edit with back-off, then gives up with the error', async () => {
    const { clock, sent, failures, editor } = setup({ finalAttempts: 3 });
    failures.push(new Error('boom 1'), new Error('boom 2'), new Error('boom 3'));
    const outcome = editor.finish(a, 'final').then(() => 'landed', (error: Error) => error.message);
    await clock.advance(1000); // first retry after 1 s
    await clock.advance(2000); // second after 2 s more
    expect(await outcome).toBe('boom 3');
    expect(sent).toEqual([]);
  });

  it('a final edit that fails once lands on the retry', async () => {
    const { clock, sent, failures, editor } = setup();
    failures.push(new Error('connection reset'));
    const finished = editor.finish(a, 'final');
    await clock.advance(1000);
    await finished;
    expect(sent).toEqual([{ at: 1000, id: 'a', state: 'final' }]);
  });

  it('drops a failed intermediate edit and goes on with the next state', async () => {
    const { clock, sent, failures, editor } = setup();
    failures.push(new Error('message_not_found'));
    editor.update(a, 'lost');
    await settle();
    editor.update(a, 'next');
    await clock.advance(1000);
    expect(sent).toEqual([{ at: 1000, id: 'a', state: 'next' }]);
  });

  it('close rejects unfinished finishes and stops its timers', async () => {
    const { clock, editor } = setup();
    editor.update(a, 'x');
    await settle();
    const finished = editor.finish(a, 'final');
    expect(clock.pendingTimers).toBe(1);
    editor.close();
    await expect(finished).rejects.toThrow(/closed/);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a final edit uses the reserve progress may not touch, and is granted before progress waiting for the same window', async () => {
    const { clock, sent, editor } = workspaceEditor(4, 2);
    for (const id of ['m1', 'm2', 'm3']) editor.update({ channel: 'C1', id }, 'progress');
    await settle();
    expect(sent).toEqual(['0:m1:progress', '0:m2:progress']); // m3 waits: progress may use 2 of 4
    const finals = [editor.finish({ channel: 'C1', id: 'f1' }, 'final'), editor.finish({ channel: 'C1', id: 'f2' }, 'final'), editor.finish({ channel: 'C1', id: 'f3' }, 'final')];
    await settle();
    expect(sent.slice(2)).toEqual(['0:f1:final', '0:f2:final']); // the reserve; f3 waits for the window
    await clock.advance(61_000); // the window and its 1 s guard
    await Promise.all(finals);
    // when the window frees, the waiting final goes though m3's progress asked first; m3 a step later
    expect(sent.slice(4)).toEqual(['61000:f3:final']);
    await clock.advance(1000);
    expect(sent.slice(5)).toEqual(['62000:m3:progress']);
    editor.close();
  });

  it('when a message\'s progress waits for the budget, its final edit does not wait with it: it takes the reserve as soon as the message\'s second is up', async () => {
    const { clock, sent, editor } = workspaceEditor(3, 1);
    editor.update({ channel: 'C1', id: 'other' }, 'progress');
    editor.update(a, 'p1');
    await settle();
    await clock.advance(1000);
    editor.update(a, 'p2'); // progress has used its 2 of 3: p2 waits for the window (a minute)
    await settle();
    expect(sent).toEqual(['0:other:progress', '0:a:p1']);
    await clock.advance(500);
    const done = editor.finish(a, 'final');
    await settle();
    expect(sent.slice(2)).toEqual(['1500:a:final']);
    await done;
    await clock.advance(120_000);
    expect(sent.slice(3)).toEqual([]); // p2 was replaced by the final, never sent after it
    editor.close();
  });

  it('when the budget does not answer (Redis away), the edit is asked for again a second later and then sent', async () => {
    const clock = new ManualClock();
    const start = clock.now();
    const inner = new MemoryChatBudget({ clock });
    let failures = 2;
    const budget = {
      tryAcquire: (...args: Parameters<MemoryChatBudget['tryAcquire']>) => (failures-- > 0 ? Promise.reject(new Error('connection is closed')) : inner.tryAcquire(...args)),
      landed: inner.landed.bind(inner),
      pause: inner.pause.bind(inner),
    };
    const sent: string[] = [];
    const editor = new ThrottledEditor<string>({ clock, budget, send: async (ref, state) => void sent.push(`${clock.now() - start}:${state}`) });
    const done = editor.finish(a, 'final');
    await clock.advance(1999);
    expect(sent).toEqual([]);
    await clock.advance(1);
    await done;
    expect(sent).toEqual(['2000:final']);
    editor.close();
  });
});

/** An editor spending in one workspace window of `limit` a minute, `reserve` of it kept for finals; `sent` says `ms:message:state`. */
function workspaceEditor(limit: number, reserve: number) {
  const clock = new ManualClock();
  const start = clock.now();
  const sent: string[] = [];
  const editor = new ThrottledEditor<string>({
    clock,
    budget: new MemoryChatBudget({ clock }),
    windowsFor: () => [{ key: 'workspace', limit, windowMs: 60_000, reserve }],
    send: async (ref, state) => void sent.push(`${clock.now() - start}:${ref.id}:${state}`),
  });
  return { clock, sent, editor };
}
