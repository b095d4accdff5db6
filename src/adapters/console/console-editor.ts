// How the console shows a message that is edited in place: a terminal log cannot edit a
// line it printed, so in-between states are skipped and only settled states (a deploy
// parked for approval, its final state, a decided card) are printed again.
import type { MessageEditor } from '../../notify/message-editor.ts';
import type { Messenger } from '../../core/chat-types.ts';

export function consoleEditor(_platform: string, messenger: Messenger): MessageEditor {
  return {
    update: () => {},
    finish: (ref, message) => messenger.update(ref, message),
  };
}
