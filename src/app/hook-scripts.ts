import type { ProjectConfig } from '../../config/schema.ts';

/** The project's hook scripts as configured (templates resolved, placeholders not expanded). */
export function hookScripts(project: ProjectConfig, templates: Readonly<Record<string, string>>): Record<string, string> {
  const scripts: Record<string, string> = {};
  for (const [point, spec] of Object.entries(project.hooks)) {
    if (spec === undefined) continue;
    scripts[point] = typeof spec === 'string' ? spec : (templates[spec.template] ?? `<missing template ${spec.template}>`);
  }
  return scripts;
}
