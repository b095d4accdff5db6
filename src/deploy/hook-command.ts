// Which shell command a hook point runs for a project: the hook string itself, or the named
// entry of `hookTemplates`, with placeholders expanded.
import type { HookPoint, ProjectConfig } from '../../config/schema.ts';
import { DeploybotError } from '../core/errors.ts';
import { expandHookTemplate, type HookPlaceholders } from './expand-hook-template.ts';

export function hookCommand(
  project: Pick<ProjectConfig, 'hooks'>,
  templates: Readonly<Record<string, string>>,
  point: HookPoint,
  placeholders: HookPlaceholders,
): string | undefined {
  const spec = project.hooks[point];
  if (spec === undefined) return undefined;
  let text: string;
  if (typeof spec === 'string') {
    text = spec;
  } else {
    const template = templates[spec.template];
    if (template === undefined) {
      throw new DeploybotError('unknown_hook_template', `hook ${point} names the template "${spec.template}", which hookTemplates does not define`);
    }
    text = template;
  }
  return expandHookTemplate(text, placeholders);
}
