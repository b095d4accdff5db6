import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleAdapter } from '../../src/adapters/console/console-adapter.ts';
import type { ChatHandler, IncomingCommand } from '../../src/core/chat-types.ts';

/** Runs the console over `script` with `handler`; returns what it printed. */
async function runConsole(script: string, handler: ChatHandler, user = 'alice'): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const adapter = new ConsoleAdapter({ input, output, user, echo: true });
  await adapter.start(handler);
  input.end(script);
  await adapter.finished;
  return printed;
}

function recordingHandler(respond: (cmd: IncomingCommand) => Promise<void> = async () => {}) {
  const seen: Array<{ text: string; user: string }> = [];
  const handler: ChatHandler = {
    async onCommand(cmd) {
      seen.push({ text: cmd.text, user: cmd.user.id });
      await respond(cmd);
    },
  };
  return { seen, handler };
}

describe('console chat', () => {
  it('when lines come with or without a slash, then each reaches the handler as the current user', async () => {
    const { seen, handler } = recordingHandler();
    await runConsole('/deploy a b c\nstatus x\n\n# a comment\n', handler);
    expect(seen).toEqual([{ text: '/deploy a b c', user: 'console:alice' }, { text: 'status x', user: 'console:alice' }]);
  });

  it('when `as <user>` is typed, then later commands run as that user', async () => {
    const { seen, handler } = recordingHandler();
    const out = await runConsole('status a\nas bob\nstatus b\n', handler);
    expect(seen.map((s) => s.user)).toEqual(['console:alice', 'console:bob']);
    expect(out).toContain('now acting as bob (console:bob)');
  });

  it('when `as` names a Slack or DingTalk id, then it is refused and the user stays a console user', async () => {
    const { seen, handler } = recordingHandler();
    const out = await runConsole('as slack:U01BOB\nstatus a\nas dingtalk:0123456\nstatus b\n', handler);
    expect(out).toContain('"slack:U01BOB" cannot be a console name');
    expect(out).toContain('"dingtalk:0123456" cannot be a console name');
    expect(seen.map((s) => s.user)).toEqual(['console:alice', 'console:alice']);
  });

  it('when a message offers buttons, then they print as [n] Label and `press n` runs the button as the current user', async () => {
    const { seen, handler } = recordingHandler(async (cmd) => {
      if (cmd.text === 'ask') {
        await cmd.reply({ text: 'Approve d-20261121-0001?', buttons: [
          { label: 'Approve', command: 'approve d-20261121-0001', style: 'primary' },
          { label: 'Reject', command: 'reject d-20261121-0001', style: 'danger' },
        ] });
      }
    });
    const out = await runConsole('ask\nas bob\npress 2\npress 3\n', handler);
    expect(out).toContain('[1] Approve  [2] Reject');
    expect(seen).toEqual([{ text: 'ask', user: 'console:alice' }, { text: 'reject d-20261121-0001', user: 'console:bob' }]);
    expect(out).toContain('usage: press <n>, with n from 1 to 2');
  });

  it('when nothing offered buttons, then `press` says so', async () => {
    const { handler } = recordingHandler();
    expect(await runConsole('press 1\n', handler)).toContain('there is no button to press yet');
  });

  it('when lines are handled, then each answer is printed before the next line is read', async () => {
    const { handler } = recordingHandler(async (cmd) => {
      await new Promise((resolve) => setImmediate(resolve));
      await cmd.replyPrivately(`answer to ${cmd.text}`);
    });
    const out = await runConsole('one\ntwo\nthree\n', handler);
    expect(out.split('\n').filter(Boolean)).toEqual([
      'alice> one', 'answer to one', 'alice> two', 'answer to two', 'alice> three', 'answer to three',
    ]);
  });

  it('when input ends, then the console waits for its jobs but not for those awaiting approval', async () => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const order: string[] = [];
    const { handler } = recordingHandler(async (cmd) => {
      if (cmd.text === 'start') cmd.track({ deployId: 'd-1', idle: () => finished.then(() => void order.push('job done')) });
      if (cmd.text === 'park') cmd.track({ deployId: 'd-2', idle: async () => {} });
    });
    const run = runConsole('start\npark\n', handler).then(() => order.push('console done'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    finish();
    await run;
    expect(order).toEqual(['job done', 'console done']);
  });

  it('when `wait` is typed, then the next line is read only after the jobs are idle', async () => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const events: string[] = [];
    const { handler } = recordingHandler(async (cmd) => {
      events.push(cmd.text);
      if (cmd.text === 'start') {
        cmd.track({ deployId: 'd-1', idle: () => finished });
        setImmediate(() => {
          events.push('job finished');
          finish();
        });
      }
    });
    await runConsole('start\nwait\nafter\n', handler);
    expect(events).toEqual(['start', 'job finished', 'after']);
  });
});

describe('console words', () => {
  it('when `help` is typed, then the bot\'s help is followed by the console\'s own words: as, press, wait, exit', async () => {
    const { handler } = recordingHandler(async (cmd) => void (await cmd.replyPrivately('deploybot commands: deploy, status …')));
    const out = await runConsole('help\n', handler);
    expect(out).toContain('deploybot commands: deploy, status …');
    for (const word of ['as <name>', 'press <n>', 'wait', 'exit']) expect(out).toMatch(new RegExp(`^  ${word.replace(/[<>]/g, '.')}\\s`, 'm'));
  });

  it('when `exit` is typed, then nothing after it runs and the console ends', async () => {
    const { seen, handler } = recordingHandler();
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const adapter = new ConsoleAdapter({ input, output, user: 'alice', echo: true });
    await adapter.start(handler);
    // the input stays open: only `exit` can end the console here
    input.write('status a\nexit\nstatus b\n');
    await adapter.finished;
    expect(seen.map((s) => s.text)).toEqual(['status a']);
    expect(printed).toContain('bye');
  });
});
