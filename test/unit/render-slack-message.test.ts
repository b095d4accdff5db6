import { describe, expect, it } from 'vitest';
import { renderSlackMessage } from '../../src/adapters/slack/render-slack-message.ts';
import { SLACK_LIMITS } from '../../src/adapters/slack/slack-text.ts';
import { slashCommandText } from '../../src/adapters/slack/slash-command-text.ts';

type AnyBlock = { type: string; block_id: string; text?: { text: string }; elements?: Array<Record<string, any>> };

describe('renderSlackMessage', () => {
  it('renders buttons whose value is the command, within Slack limits', () => {
    const { blocks } = renderSlackMessage({
      text: 'approval',
      buttons: [{
        label: 'A'.repeat(100),
        command: 'approve d-20261121-0001',
        style: 'primary',
        confirm: { title: 'T'.repeat(150), text: 'x'.repeat(400) },
      }],
    }, 'n1') as unknown as { blocks: AnyBlock[] };
    const button = blocks.find((block) => block.type === 'actions')!.elements![0]!;
    expect(button.value).toBe('approve d-20261121-0001');
    expect(button.style).toBe('primary');
    expect(button.action_id).toBe('deploybot_button_0');
    expect(button.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
    expect(button.confirm.title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.confirmTitle);
    expect(button.confirm.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.confirmText);
  });

  it('splits more than 25 buttons over several actions blocks', () => {
    const buttons = Array.from({ length: 30 }, (_, i) => ({ label: `b${i}`, command: `retry d-20261121-${String(i).padStart(4, '0')}` }));
    const { blocks } = renderSlackMessage({ text: 'many', buttons }) as unknown as { blocks: AnyBlock[] };
    const actions = blocks.filter((block) => block.type === 'actions');
    expect(actions.map((block) => block.elements!.length)).toEqual([25, 5]);
    expect(new Set(actions.flatMap((block) => block.elements!.map((e) => e.action_id))).size).toBe(30);
  });

  it('a command too long for a button value becomes a line telling what to type', () => {
    const command = `lock mala-core brazil ${'r'.repeat(2100)}`;
    const { blocks } = renderSlackMessage({ text: 'x', buttons: [{ label: 'Lock', command }] }) as unknown as { blocks: AnyBlock[] };
    expect(blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(blocks.at(-1)?.text?.text.startsWith('Lock: type `lock mala-core brazil')).toBe(true);
  });

  it('escapes mrkdwn control characters so text cannot ping or link', () => {
    const rendered = renderSlackMessage({ text: 'locked: <!channel> & <https://evil|x>' });
    expect(rendered.text).toBe('locked: &lt;!channel&gt; &amp; &lt;https://evil|x&gt;');
  });

  it('gives every render new block_ids', () => {
    const one = renderSlackMessage({ text: 'a', lines: ['b'] }).blocks.map((block) => block.block_id);
    const two = renderSlackMessage({ text: 'a', lines: ['b'] }).blocks.map((block) => block.block_id);
    expect(one.filter((id) => two.includes(id))).toEqual([]);
  });
});

describe('slashCommandText', () => {
  it('turns a slash command into the command line of the shared grammar', () => {
    expect(slashCommandText('/deploy', ' mala-core brazil v1.3 ')).toBe('deploy mala-core brazil v1.3');
    expect(slashCommandText('/gray', 'start mala-core brazil v1.4')).toBe('gray start mala-core brazil v1.4');
    expect(slashCommandText('/status', '')).toBe('status');
    expect(slashCommandText('/deploybot', 'help deploy')).toBe('help deploy');
    expect(slashCommandText('/deploybot', 'approve d-20261121-0001')).toBe('approve d-20261121-0001');
  });
});
