// A button that asks for text first (Button.prompt, e.g. Reject with a reason): its click
// opens a modal (views.open with the click's trigger_id) whose submission runs the button's
// command with the text appended, as the user who submitted it, in the channel of the
// message (docs/slack.md "Messages"). The modal carries the command and channel in its
// private_metadata, which Slack hands back unchanged. Modal limits: title, submit and close
// ≤ 24 characters, input label ≤ 2000, placeholder ≤ 150, private_metadata ≤ 3000.
import type { types } from '@slack/bolt';
import type { Button } from '../../core/chat-types.ts';
import { truncate } from './slack-text.ts';

/** The action_id prefix of buttons that open a modal. */
export const PROMPT_ACTION_PREFIX = 'deploybot_prompt_';
/** The callback_id of the modal; the adapter listens for its submissions. */
export const PROMPT_CALLBACK_ID = 'deploybot_prompt';
const INPUT_BLOCK = 'deploybot_prompt_input';
const INPUT_ACTION = 'text';
/** What a typed reason may be at most (the grammar's rest-of-line limit). */
const INPUT_MAX = 500;

export const MODAL_LIMITS = { title: 24, button: 24, label: 2000, placeholder: 150, privateMetadata: 3000 } as const;

/** The button's value: its command and what to ask (read back by promptOf). */
export function promptValue(button: Button & { prompt: NonNullable<Button['prompt']> }): string {
  return JSON.stringify({ command: button.command, prompt: button.prompt });
}

/** The modal a prompt button opens, or undefined when the value is not one of ours. */
export function promptModal(value: string, channel: string): types.ModalView | undefined {
  const parsed = parsePrompt(value);
  if (!parsed) return undefined;
  const metadata = JSON.stringify({ command: parsed.command, channel });
  if (metadata.length > MODAL_LIMITS.privateMetadata) return undefined;
  const { prompt } = parsed;
  return {
    type: 'modal',
    callback_id: PROMPT_CALLBACK_ID,
    private_metadata: metadata,
    title: { type: 'plain_text', text: truncate(prompt.title, MODAL_LIMITS.title) },
    submit: { type: 'plain_text', text: 'Submit' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`Runs \`${parsed.command.replace(/`/g, "'")}\` with what you type.`, 300) }] },
      {
        type: 'input',
        block_id: INPUT_BLOCK,
        optional: prompt.optional === true,
        label: { type: 'plain_text', text: truncate(prompt.label, MODAL_LIMITS.label) },
        element: {
          type: 'plain_text_input',
          action_id: INPUT_ACTION,
          multiline: true,
          max_length: INPUT_MAX,
          ...(prompt.placeholder ? { placeholder: { type: 'plain_text' as const, text: truncate(prompt.placeholder, MODAL_LIMITS.placeholder) } } : {}),
        },
      },
    ],
  };
}

/** The command line and channel of a submitted modal, or undefined when it is not one of ours. */
export function submittedCommand(view: { private_metadata?: string; state?: { values?: Record<string, Record<string, { value?: string | null }>> } }): { text: string; channel: string } | undefined {
  let metadata: unknown;
  try {
    metadata = JSON.parse(view.private_metadata ?? '');
  } catch {
    return undefined;
  }
  const { command, channel } = (metadata ?? {}) as { command?: unknown; channel?: unknown };
  if (typeof command !== 'string' || typeof channel !== 'string' || command === '' || channel === '') return undefined;
  const typed = view.state?.values?.[INPUT_BLOCK]?.[INPUT_ACTION]?.value ?? '';
  const text = typeof typed === 'string' ? typed.replace(/\s+/g, ' ').trim() : '';
  return { text: text === '' ? command : `${command} ${text}`, channel };
}

function parsePrompt(value: string): { command: string; prompt: NonNullable<Button['prompt']> } | undefined {
  try {
    const parsed = JSON.parse(value) as { command?: unknown; prompt?: { title?: unknown; label?: unknown; placeholder?: unknown; optional?: unknown } };
    const prompt = parsed.prompt;
    if (typeof parsed.command !== 'string' || !prompt || typeof prompt.title !== 'string' || typeof prompt.label !== 'string') return undefined;
    return {
      command: parsed.command,
      prompt: { title: prompt.title, label: prompt.label, ...(typeof prompt.placeholder === 'string' ? { placeholder: prompt.placeholder } : {}), optional: prompt.optional === true },
    };
  } catch {
    return undefined;
  }
}
