// The console chat (docs/reference/command-line.md): the same ChatAdapter as Slack and DingTalk, over
// stdin/stdout. One command per line, handled strictly in order; `as <user>`, `press <n>`,
// `wait` and `exit` are the console's own words (`help` lists them after the bot's verbs).
// At end of input, or `exit`, it waits for its jobs and ends.
// Whoever types here is `console:<name>` (`as bob` → console:bob): a console user can never
// pass for a Slack or DingTalk user.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Button, ChatAdapter, ChatHandler, ChatUser, MessageRef, Messenger, OutgoingMessage, TrackedJob } from '../../core/chat-types.ts';
import { nativeIdOf, qualifyUserId } from '../../domain/user-id.ts';
import { renderConsoleMessage } from './render-console-message.ts';

/** The console's own words, shown after the bot's `help`. */
const CONSOLE_WORDS = [
  'console:',
  '  as <name>     act as another console user (console:<name>)',
  '  press <n>     press button n of the last message that had buttons',
  '  wait          wait until the deploys started here finish or wait for approval',
  '  exit          wait for them, then leave (also: quit, or end of input)',
].join('\n');

export interface ConsoleAdapterOptions {
  input: Readable;
  output: Writable;
  /** The console name typed as (the user is `console:<user>`). */
  user: string;
  /** The channel console commands come from (messages for other channels print too). */
  channel?: string;
  /** Print each input line back (useful when reading a script rather than a terminal). */
  echo?: boolean;
  /** Show a `user> ` prompt (when the input is a terminal). */
  prompt?: boolean;
}

export class ConsoleAdapter implements ChatAdapter {
  readonly platform = 'console' as const;
  readonly messenger: Messenger;
  readonly channel: string;
  #user: ChatUser;
  #lastButtons: Button[] = [];
  #jobs: TrackedJob[] = [];
  #exiting = false;
  #messageCount = 0;
  #done: Promise<void> | undefined;
  #handler: ChatHandler | undefined;

  constructor(private readonly options: ConsoleAdapterOptions) {
    const problem = consoleNameProblem(options.user);
    if (problem) throw new Error(problem);
    this.#user = { id: qualifyUserId('console', options.user) };
    this.channel = options.channel ?? 'console';
    this.messenger = {
      post: async (channel, message) => this.#print(channel, message),
      update: async (ref, message) => {
        this.#print(ref.channel, message, ref.id);
      },
      postPrivate: async (_channel, user, text) => {
        this.#write(user.id === this.#user.id ? text : `(to ${user.id.startsWith('console:') ? nativeIdOf(user.id) : user.id}) ${text}`);
      },
    };
  }

  get user(): ChatUser {
    return this.#user;
  }

  /** The console name typed as (`alice` for console:alice). */
  get userName(): string {
    return nativeIdOf(this.#user.id);
  }

  /** Starts reading input (unless `readInput` is false: lines then come through `submit`); `finished` resolves after end of input and the jobs' end. */
  async start(handler: ChatHandler, options: { readInput?: boolean } = {}): Promise<void> {
    this.#handler = handler;
    if (options.readInput !== false) this.#done = this.#run(handler);
  }

  get finished(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.options.input.destroy();
  }

  async #run(handler: ChatHandler): Promise<void> {
    this.#handler = handler;
    // at a terminal, a prompt says who you are; a piped script gets its lines echoed instead
    const interactive = this.options.prompt === true;
    const lines = createInterface({ input: this.options.input, crlfDelay: Infinity, terminal: interactive, ...(interactive ? { output: this.options.output } : {}) });
    const prompt = () => {
      if (!interactive) return;
      lines.setPrompt(`${this.userName}> `);
      lines.prompt();
    };
    prompt();
    for await (const raw of lines) {
      await this.submit(raw);
      if (this.#exiting) break;
      prompt();
    }
    lines.close();
    await this.waitForJobs();
  }

  /** Handles one line as if it had been typed; resolves once its immediate answer is printed. */
  async submit(raw: string, handler: ChatHandler | undefined = this.#handler): Promise<void> {
    if (!handler) throw new Error('the console adapter has not been started');
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (this.options.echo) this.#write(`${this.userName}> ${line}`);
    await this.#handleLine(line, handler);
  }

  async #handleLine(line: string, handler: ChatHandler): Promise<void> {
    const [word, ...rest] = line.split(/\s+/);
    const verb = word?.replace(/^\//, '').toLowerCase();
    if (verb === 'as') {
      if (rest.length !== 1 || !rest[0]) return this.#write('usage: as <name>');
      const problem = consoleNameProblem(rest[0]);
      if (problem) return this.#write(problem);
      this.#user = { id: qualifyUserId('console', rest[0]) };
      return this.#write(`now acting as ${rest[0]} (console:${rest[0]})`);
    }
    if (verb === 'press') {
      const n = rest.length === 1 ? Number(rest[0]) : NaN;
      const button = Number.isInteger(n) ? this.#lastButtons[n - 1] : undefined;
      if (!button) {
        return this.#write(this.#lastButtons.length === 0
          ? 'there is no button to press yet'
          : `usage: press <n>, with n from 1 to ${this.#lastButtons.length}`);
      }
      return this.#dispatch(button.command, handler);
    }
    if (verb === 'wait' && rest.length === 0) return this.waitForJobs();
    if ((verb === 'exit' || verb === 'quit') && rest.length === 0) {
      this.#exiting = true;
      return this.#write(this.#jobs.length > 0 ? 'waiting for the deploys started here, then leaving' : 'bye');
    }
    await this.#dispatch(line, handler);
    if (verb === 'help' && rest.length === 0) this.#write(CONSOLE_WORDS);
  }

  async #dispatch(text: string, handler: ChatHandler): Promise<void> {
    await handler.onCommand({
      text,
      user: this.#user,
      channel: this.channel,
      platform: 'console',
      reply: async (message) => this.#print(this.channel, message),
      replyPrivately: async (message) => this.#write(message),
      track: (job) => {
        this.#jobs.push(job);
      },
    });
  }

  /** Blocks until every job started here has finished or is parked awaiting approval. */
  async waitForJobs(): Promise<void> {
    await Promise.all(this.#jobs.map((job) => job.idle()));
  }

  #print(channel: string, message: OutgoingMessage, editedId?: string): MessageRef {
    const id = editedId ?? `m${++this.#messageCount}`;
    this.#write(renderConsoleMessage(message, { channel: channel === this.channel ? undefined : channel, edited: editedId !== undefined }));
    if (message.buttons && message.buttons.length > 0) this.#lastButtons = message.buttons;
    return { channel, id };
  }

  #write(text: string): void {
    this.options.output.write(`${text}\n`);
  }
}

/** A console name is one word without `:` — it is always qualified as `console:<name>`. */
function consoleNameProblem(name: string): string | undefined {
  if (name === '' || /[\s:]/.test(name)) return `"${name}" cannot be a console name: use one word without ":" (a console user is always console:<name>, never a Slack or DingTalk id)`;
  return undefined;
}
