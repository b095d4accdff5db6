// OutgoingMessage → Slack `text` + Block Kit blocks, inside Slack's limits: section text
// ≤ 3000 chars, ≤ 50 blocks, ≤ 25 elements per actions block, button text ≤ 75, value
// ≤ 2000, confirm title ≤ 100 and text ≤ 300. Every render gets fresh block_ids (Slack
// asks for new ones on chat.update). A button's `value` is the command it runs; a button
// with a `prompt` opens a modal first (slack-prompt-modal.ts). A message with a card is
// laid out from it (render-slack-card.ts), else from its text and lines.
import { randomBytes } from 'node:crypto';
import type { types } from '@slack/bolt';
import type { Button, Link, OutgoingMessage } from '../../core/chat-types.ts';
import { renderCardBlocks } from './render-slack-card.ts';
import { PROMPT_ACTION_PREFIX, promptValue } from './slack-prompt-modal.ts';
import { chunkText, escapeMrkdwn, SLACK_LIMITS, truncate } from './slack-text.ts';


/** The action_id prefix of every deploybot button; the Slack adapter listens for it. */
export const BUTTON_ACTION_PREFIX = 'deploybot_button_';
/** The action_id prefix of link buttons: opening the URL is all they do. */
export const LINK_ACTION_PREFIX = 'deploybot_link_';

export interface SlackMessagePayload {
  text: string;
  blocks: types.KnownBlock[];
}

export function renderSlackMessage(message: OutgoingMessage, nonce: string = randomBytes(4).toString('hex')): SlackMessagePayload {
  const blockId = (() => {
    let n = 0;
    return () => `dbt-${nonce}-${n++}`;
  })();
  const section = (text: string): types.SectionBlock => ({ type: 'section', block_id: blockId(), text: { type: 'mrkdwn', text } });

  const cardBlocks = message.card ? renderCardBlocks(message.card, blockId) : undefined;
  const textBlocks = cardBlocks ?? chunkText(escapeMrkdwn(message.text), SLACK_LIMITS.sectionText).map(section);
  const lineBlocks = !cardBlocks && message.lines && message.lines.length > 0
    ? chunkText(message.lines.map(escapeMrkdwn).join('\n'), SLACK_LIMITS.sectionText).map(section)
    : [];
  const { blocks: buttonBlocks, unrenderable } = renderButtons(message.buttons ?? [], blockId);
  const actionBlocks = [...buttonBlocks, ...renderLinks(message.links ?? [], blockId)];
  const notes = unrenderable.map((button) => section(escapeMrkdwn(`${button.label}: type \`${button.command}\``)));

  // Buttons are what people act on: keep them; cut text and lines to fit the block limit.
  const room = SLACK_LIMITS.blocks - actionBlocks.length - notes.length;
  let body: types.KnownBlock[] = [...textBlocks, ...lineBlocks];
  if (body.length > room) {
    const kept = body.slice(0, Math.max(0, room - 1));
    body = [...kept, { type: 'context', block_id: blockId(), elements: [{ type: 'mrkdwn', text: `… ${body.length - kept.length} more part(s) not shown (Slack allows ${SLACK_LIMITS.blocks} blocks)` }] }];
  }
  return {
    text: truncate(escapeMrkdwn(message.text), SLACK_LIMITS.fallbackText),
    blocks: [...body, ...notes, ...actionBlocks],
  };
}

function renderButtons(buttons: Button[], blockId: () => string): { blocks: types.ActionsBlock[]; unrenderable: Button[] } {
  const elements: types.Button[] = [];
  const unrenderable: Button[] = [];
  buttons.forEach((button, index) => {
    const prompt = button.prompt ? { ...button, prompt: button.prompt } : undefined;
    const value = prompt ? promptValue(prompt) : button.command;
    if (value.length > SLACK_LIMITS.buttonValue) {
      unrenderable.push(button);
      return;
    }
    const element: types.Button = {
      type: 'button',
      action_id: `${prompt ? PROMPT_ACTION_PREFIX : BUTTON_ACTION_PREFIX}${index}`,
      text: { type: 'plain_text', text: truncate(button.label.trim() === '' ? 'Run' : button.label, SLACK_LIMITS.buttonText), emoji: true },
      value,
    };
    if (button.style) element.style = button.style;
    // a prompt's modal is its confirmation: Cancel there changes nothing
    if (button.confirm && !prompt) {
      element.confirm = {
        title: { type: 'plain_text', text: truncate(button.confirm.title, SLACK_LIMITS.confirmTitle) },
        text: { type: 'plain_text', text: truncate(button.confirm.text, SLACK_LIMITS.confirmText) },
        confirm: { type: 'plain_text', text: truncate(button.label, 30) },
        deny: { type: 'plain_text', text: 'Cancel' },
        ...(button.style === 'danger' ? { style: 'danger' as const } : {}),
      };
    }
    elements.push(element);
  });
  const blocks: types.ActionsBlock[] = [];
  for (let i = 0; i < elements.length; i += SLACK_LIMITS.actionsElements) {
    blocks.push({ type: 'actions', block_id: blockId(), elements: elements.slice(i, i + SLACK_LIMITS.actionsElements) });
  }
  return { blocks, unrenderable };
}

/** Link buttons (the deploy page's Details): Slack opens the URL and sends an action the adapter only acknowledges. */
function renderLinks(links: readonly Link[], blockId: () => string): types.ActionsBlock[] {
  const elements: types.Button[] = links.filter((link) => link.url.length <= 3000).slice(0, SLACK_LIMITS.actionsElements).map((link, index) => ({
    type: 'button',
    action_id: `${LINK_ACTION_PREFIX}${index}`,
    text: { type: 'plain_text', text: truncate(link.label, SLACK_LIMITS.buttonText), emoji: true },
    url: link.url,
  }));
  return elements.length > 0 ? [{ type: 'actions', block_id: blockId(), elements }] : [];
}
