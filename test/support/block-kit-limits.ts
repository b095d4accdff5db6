// Checks a Slack payload against Block Kit's documented limits (docs/slack.md; api.slack.com
// reference "Blocks", "Block elements", "Composition objects", "Modals"), so tests fail on
// what Slack would refuse with `invalid_blocks`: ≤ 50 blocks a message (100 a modal), unique
// block_ids ≤ 255, header plain_text ≤ 150, section text ≤ 3000, ≤ 10 fields ≤ 2000 each,
// context ≤ 10 elements, actions ≤ 25 elements, button text ≤ 75 and value ≤ 2000,
// action_id ≤ 255, confirm title ≤ 100 and text ≤ 300, `text` ≤ 4000; modal title, submit
// and close ≤ 24, input label ≤ 2000, private_metadata ≤ 3000. Also: no empty text (Slack
// refuses it) and mrkdwn where only links, mentions and escapes use `<` and `>`.

type Json = Record<string, unknown>;

const MRKDWN_ANGLE = /<(?!@[UW][A-Z0-9]+>|https:\/\/[^\s<>|]+\|[^<>]*>)/;

export function blockKitProblems(payload: { text?: unknown; blocks?: unknown }): string[] {
  const problems: string[] = [];
  if (typeof payload.text === 'string' && payload.text.length > 4000) problems.push(`text: ${payload.text.length} > 4000 characters`);
  checkBlocks(payload.blocks, 50, 'message', problems);
  return problems;
}

export function modalProblems(view: Json): string[] {
  const problems: string[] = [];
  if (view.type !== 'modal') problems.push('view.type is not modal');
  for (const key of ['title', 'submit', 'close'] as const) {
    const text = (view[key] as Json | undefined)?.text;
    if (key === 'title' && typeof text !== 'string') problems.push('view.title is missing');
    if (typeof text === 'string') limit(problems, `view.${key}`, text, 24);
  }
  if (typeof view.private_metadata === 'string') limit(problems, 'view.private_metadata', view.private_metadata, 3000);
  if (typeof view.callback_id === 'string') limit(problems, 'view.callback_id', view.callback_id, 255);
  checkBlocks(view.blocks, 100, 'modal', problems);
  return problems;
}

/** Every piece of text a payload shows (header, sections, fields, context, buttons), one per line. */
export function blockText(payload: { text?: unknown; blocks?: unknown }): string {
  const parts: string[] = typeof payload.text === 'string' ? [payload.text] : [];
  for (const block of (payload.blocks as Json[] | undefined) ?? []) {
    const text = (block.text as Json | undefined)?.text;
    if (typeof text === 'string') parts.push(text);
    for (const field of (block.fields as Json[] | undefined) ?? []) parts.push(String(field.text));
    for (const element of (block.elements as Json[] | undefined) ?? []) {
      const inner = element.text;
      parts.push(typeof inner === 'string' ? inner : String((inner as Json | undefined)?.text ?? ''));
    }
  }
  return parts.join('\n');
}

function checkBlocks(blocks: unknown, max: number, where: string, problems: string[]): void {
  if (!Array.isArray(blocks)) return;
  if (blocks.length > max) problems.push(`${where}: ${blocks.length} > ${max} blocks`);
  const ids = new Set<string>();
  blocks.forEach((raw: Json, i) => {
    const at = `blocks[${i}] (${String(raw.type)})`;
    if (typeof raw.block_id === 'string') {
      limit(problems, `${at}.block_id`, raw.block_id, 255);
      if (ids.has(raw.block_id)) problems.push(`${at}: block_id ${raw.block_id} is used twice`);
      ids.add(raw.block_id);
    }
    switch (raw.type) {
      case 'header':
        textObject(problems, `${at}.text`, raw.text, 150, 'plain_text');
        break;
      case 'section': {
        const fields = raw.fields as Json[] | undefined;
        if (raw.text === undefined && !fields) problems.push(`${at}: neither text nor fields`);
        if (raw.text !== undefined) textObject(problems, `${at}.text`, raw.text, 3000);
        if (fields) {
          if (fields.length > 10) problems.push(`${at}: ${fields.length} > 10 fields`);
          fields.forEach((field, j) => textObject(problems, `${at}.fields[${j}]`, field, 2000));
        }
        break;
      }
      case 'context': {
        const elements = (raw.elements as Json[] | undefined) ?? [];
        if (elements.length === 0 || elements.length > 10) problems.push(`${at}: ${elements.length} elements (1 to 10)`);
        elements.forEach((element, j) => textObject(problems, `${at}.elements[${j}]`, element, 3000));
        break;
      }
      case 'actions': {
        const elements = (raw.elements as Json[] | undefined) ?? [];
        if (elements.length === 0 || elements.length > 25) problems.push(`${at}: ${elements.length} elements (1 to 25)`);
        elements.forEach((element, j) => button(problems, `${at}.elements[${j}]`, element));
        break;
      }
      case 'input': {
        textObject(problems, `${at}.label`, raw.label, 2000, 'plain_text');
        const element = raw.element as Json | undefined;
        if (!element || typeof element.action_id !== 'string') problems.push(`${at}: input without an element action_id`);
        const placeholder = element?.placeholder;
        if (placeholder !== undefined) textObject(problems, `${at}.element.placeholder`, placeholder, 150, 'plain_text');
        break;
      }
      default:
        problems.push(`${at}: a block type deploybot does not use`);
    }
  });
}

function button(problems: string[], at: string, element: Json): void {
  if (element.type !== 'button') return void problems.push(`${at}: not a button`);
  textObject(problems, `${at}.text`, element.text, 75, 'plain_text');
  if (typeof element.action_id !== 'string') problems.push(`${at}: no action_id`);
  else limit(problems, `${at}.action_id`, element.action_id, 255);
  if (typeof element.value === 'string') limit(problems, `${at}.value`, element.value, 2000);
  if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') problems.push(`${at}: style ${String(element.style)}`);
  const confirm = element.confirm as Json | undefined;
  if (confirm) {
    textObject(problems, `${at}.confirm.title`, confirm.title, 100, 'plain_text');
    textObject(problems, `${at}.confirm.text`, confirm.text, 300);
    textObject(problems, `${at}.confirm.confirm`, confirm.confirm, 30, 'plain_text');
    textObject(problems, `${at}.confirm.deny`, confirm.deny, 30, 'plain_text');
  }
}

function textObject(problems: string[], at: string, value: unknown, max: number, type?: 'plain_text'): void {
  const object = value as Json | undefined;
  if (!object || typeof object.text !== 'string') return void problems.push(`${at}: not a text object`);
  if (type && object.type !== type) problems.push(`${at}: must be ${type}`);
  if (object.type !== 'plain_text' && object.type !== 'mrkdwn') problems.push(`${at}: type ${String(object.type)}`);
  if (object.text.trim() === '') problems.push(`${at}: empty text`);
  limit(problems, at, object.text, max);
  if (object.type === 'mrkdwn' && MRKDWN_ANGLE.test(object.text)) problems.push(`${at}: unescaped "<" in mrkdwn: ${object.text.slice(0, 80)}`);
}

function limit(problems: string[], at: string, text: string, max: number): void {
  if (text.length > max) problems.push(`${at}: ${text.length} > ${max} characters`);
}
