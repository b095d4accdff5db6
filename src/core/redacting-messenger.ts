// The chat boundary: everything posted, edited or answered privately passes through the
// process's redactor once, whatever produced it (docs/operations.md, "What is redacted").
import type { Button, Messenger, OutgoingMessage } from './chat-types.ts';
import type { Redactor } from './redactor.ts';

export function redactingMessenger<M extends Messenger>(messenger: M, redactor: Redactor): Messenger {
  return {
    post: (channel, message) => messenger.post(channel, redactMessage(message, redactor)),
    update: (ref, message) => messenger.update(ref, redactMessage(message, redactor)),
    postPrivate: (channel, user, text) => messenger.postPrivate(channel, user, redactor.redact(text)),
  };
}

/** `message` with its text, lines and button texts redacted. */
export function redactMessage(message: OutgoingMessage, redactor: Redactor): OutgoingMessage {
  const out: OutgoingMessage = { ...message, text: redactor.redact(message.text) };
  if (message.lines) out.lines = message.lines.map((line) => redactor.redact(line));
  if (message.buttons) out.buttons = message.buttons.map((button) => redactButton(button, redactor));
  return out;
}

function redactButton(button: Button, redactor: Redactor): Button {
  return {
    ...button,
    label: redactor.redact(button.label),
    command: redactor.redact(button.command),
    ...(button.confirm ? { confirm: { title: redactor.redact(button.confirm.title), text: redactor.redact(button.confirm.text) } } : {}),
  };
}
