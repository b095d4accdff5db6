// Hook templates (`svc -t /service/{project}`) are expanded before a hook runs. Only known
// placeholders are replaced; `${NAME}` shell expansions are left alone. A value may come
// from a user (a version), so it is inserted as an exact literal for the quoting context it
// lands in, found by a small POSIX-sh lexer:
//   unquoted (also inside $(…) and `…`)  → one single-quoted word:        'v1;x'
//   inside "…"                           → backslash-escaped \ $ ` "       v1;x
//   inside '…'                           → close, quoted word, reopen:     ''\''v1;x'\'''
//   inside `…`                           → the above, with \\ $ ` escaped once more per level
// Whatever a value contains, the shell never reads it as syntax.
import { quoteShellArg } from './quote-shell-arg.ts';

export type HookPlaceholders = Readonly<Record<string, string | undefined>>;

type Kind = 'plain' | 'single' | 'double' | 'subst' | 'backtick' | 'param';

interface Frame {
  kind: Kind;
  /** Open parentheses inside a $( … ) not yet closed. */
  depth: number;
}

const PLACEHOLDER = /^\{([A-Za-z][A-Za-z0-9_]*)\}/;

export function expandHookTemplate(template: string, values: HookPlaceholders): string {
  const stack: Frame[] = [{ kind: 'plain', depth: 0 }];
  let out = '';
  let i = 0;
  while (i < template.length) {
    const frame = stack[stack.length - 1]!;
    const ch = template[i]!;
    const next = template[i + 1];

    if (ch === '{' && frame.kind !== 'param') {
      const match = PLACEHOLDER.exec(template.slice(i));
      const name = match?.[1];
      const value = name !== undefined && Object.hasOwn(values, name) ? values[name] : undefined;
      if (match && value !== undefined) {
        out += render(value, stack);
        i += match[0].length;
        continue;
      }
    }

    // outside '…' and ${…}: a backslash escapes the next character, and $( / ${ open an expansion
    if (frame.kind !== 'single' && frame.kind !== 'param') {
      if (ch === '\\' && next !== undefined) {
        out += ch + next;
        i += 2;
        continue;
      }
      const opened = ch === '$' ? (next === '(' ? 'subst' : next === '{' ? 'param' : undefined) : undefined;
      if (opened) {
        stack.push({ kind: opened, depth: 0 });
        out += ch + next;
        i += 2;
        continue;
      }
    }

    switch (frame.kind) {
      case 'single':
        if (ch === "'") stack.pop();
        break;
      case 'param':
        if (ch === '}') stack.pop();
        else if (ch === '{') stack.push({ kind: 'param', depth: 0 });
        break;
      case 'double':
        if (ch === '"') stack.pop();
        else if (ch === '`') stack.push({ kind: 'backtick', depth: 0 });
        break;
      default: {
        // plain, subst, backtick
        if (ch === "'") stack.push({ kind: 'single', depth: 0 });
        else if (ch === '"') stack.push({ kind: 'double', depth: 0 });
        else if (ch === '`') {
          if (frame.kind === 'backtick') stack.pop();
          else stack.push({ kind: 'backtick', depth: 0 });
        } else if (frame.kind === 'subst' && ch === '(') frame.depth += 1;
        else if (frame.kind === 'subst' && ch === ')') {
          if (frame.depth === 0) stack.pop();
          else frame.depth -= 1;
        }
      }
    }
    out += ch;
    i += 1;
  }
  return out;
}

function render(value: string, stack: readonly Frame[]): string {
  const kind = stack[stack.length - 1]!.kind;
  let text = kind === 'double' ? value.replace(/[\\$`"]/g, (c) => `\\${c}`) : kind === 'single' ? `'${quoteShellArg(value)}'` : quoteShellArg(value);
  // `…` is scanned for its closing backquote before it is parsed, with \\ \$ \` unescaped:
  // escape once per enclosing backquote level.
  for (const frame of stack) if (frame.kind === 'backtick') text = text.replace(/[\\$`]/g, (c) => `\\${c}`);
  return text;
}
