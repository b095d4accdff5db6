// The other half of the chat boundary: a command's own answers (reply, replyPrivately) go
// out through the adapter directly, so the handler hands commands on with redacting ones.
import type { ChatHandler } from './chat-types.ts';
import { redactMessage } from './redacting-messenger.ts';
import type { Redactor } from './redactor.ts';

export function redactingChatHandler(handler: ChatHandler, redactor: Redactor): ChatHandler {
  return {
    onCommand: (command) => handler.onCommand({
      ...command,
      reply: (message) => command.reply(redactMessage(message, redactor)),
      replyPrivately: (text) => command.replyPrivately(redactor.redact(text)),
    }),
  };
}
