import { randomBytes } from 'node:crypto';
import type { ChatHandler, IncomingCommand } from './chat-types.ts';
import type { Logger } from './logger.ts';

/** Hands a command to the handler; anything unexpected is logged in full and answered "internal error, ref <id>". */
export async function dispatchCommand(handler: ChatHandler, incoming: IncomingCommand, logger: Logger): Promise<void> {
  try {
    await handler.onCommand(incoming);
  } catch (error) {
    const ref = randomBytes(4).toString('hex');
    logger.error('command failed', { ref, user: incoming.user.id, channel: incoming.channel, error });
    await incoming.replyPrivately(`internal error, ref ${ref}`).catch(() => undefined);
  }
}
