// Progress edits may go through a platform client of their own (Slack's progress editor),
// not the Messenger: they are redacted here, at the editor the notifier is handed.
import type { Redactor } from '../core/redactor.ts';
import { redactMessage } from '../core/redacting-messenger.ts';
import type { EditorFactory } from './message-editor.ts';

export function redactingEditors(factory: EditorFactory, redactor: Redactor): EditorFactory {
  return (platform, messenger) => {
    const editor = factory(platform, messenger);
    return {
      update: (ref, message) => editor.update(ref, redactMessage(message, redactor)),
      finish: (ref, message) => editor.finish(ref, redactMessage(message, redactor)),
      ...(editor.close ? { close: () => editor.close!() } : {}),
    };
  };
}
