// Turns a line of chat text into an answer: parse with the one grammar, answer errors and
// help at once, hand everything else to the handler registered for its verb. Shared by
// every chat adapter, so all platforms behave the same. With a limiter, every command counts
// against its user's budget first; beyond it nothing runs.
import type { Config } from '../../config/load-config.ts';
import type { CommandRegistry } from './command-registry.ts';
import { type CommandRateLimiter, rateLimitedAnswer } from './command-rate-limiter.ts';
import type { ChatHandler, IncomingCommand } from './chat-types.ts';
import type { Command, Verb } from './command-types.ts';
import type { Logger } from './logger.ts';
import { parseCommand } from './parse-command.ts';
import { renderHelp } from './render-help.ts';
import { traceableFailure } from './traceable-failure.ts';

/** What a handler gets besides the command: the config, and the conversation it came from. */
export interface CommandContext extends Pick<IncomingCommand, 'user' | 'channel' | 'platform' | 'reply' | 'replyPrivately' | 'track'> {
  config: Config;
  /** The command as typed, trimmed, without a leading `/`. */
  commandText: string;
}

export type CommandHandler<V extends Verb = Verb> = (command: Extract<Command, { verb: V }>, ctx: CommandContext) => Promise<void>;
export type CommandHandlers = { [V in Verb]?: CommandHandler<V> };

export interface CommandRouterDeps {
  config: Config;
  /** The verbs the router reads and helps with. */
  commands: CommandRegistry;
  handlers: CommandHandlers;
  logger: Logger;
  /** The per-user command budget (`limits.commandsPerMinute`); without one nothing is limited. */
  limiter?: CommandRateLimiter;
}

export function createCommandRouter(deps: CommandRouterDeps): ChatHandler {
  return {
    async onCommand(incoming: IncomingCommand): Promise<void> {
      const text = incoming.text.trim();
      if (text === '') return incoming.replyPrivately('Type `help` to see the commands.');
      if (deps.limiter) {
        let decision;
        try {
          decision = await deps.limiter.take(incoming.user.id);
        } catch (error) {
          return incoming.replyPrivately(traceableFailure(deps.logger, 'command budget not checked', { user: incoming.user.id }, error).text);
        }
        if (!decision.allowed) {
          deps.logger.info('command refused: rate limit', { user: incoming.user.id, retryAfterMs: decision.retryAfterMs });
          return incoming.replyPrivately(rateLimitedAnswer(decision));
        }
      }
      const parsed = parseCommand(deps.commands, text, deps.config);
      if (!parsed.ok) {
        return incoming.replyPrivately(parsed.usage ? `${parsed.error}\n${parsed.usage}` : parsed.error);
      }
      const command = parsed.command;
      if (command.verb === 'help') return incoming.replyPrivately(renderHelp(deps.commands, command.topic));
      const handler = deps.handlers[command.verb] as CommandHandler | undefined;
      if (!handler) {
        return incoming.replyPrivately(`\`${command.verb}\` is not available yet in this build of deploybot; nothing was queued.`);
      }
      const ctx: CommandContext = {
        config: deps.config,
        commandText: text.replace(/^\//, ''),
        user: incoming.user,
        channel: incoming.channel,
        platform: incoming.platform,
        reply: (message) => incoming.reply(message),
        replyPrivately: (message) => incoming.replyPrivately(message),
        track: (job) => incoming.track(job),
      };
      try {
        await handler(command, ctx);
      } catch (error) {
        return incoming.replyPrivately(traceableFailure(deps.logger, 'command failed', { verb: command.verb, user: incoming.user.id }, error).text);
      }
    },
  };
}
