// docs/configuration.md is the config reference: every field the schema accepts must be
// described there, so the page cannot fall behind the schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { z } from 'zod';
import { configSchema } from '../../config/schema.ts';

/** Every object key anywhere in the schema, found by walking zod's definitions. */
function fieldNames(schema: z.core.$ZodType, seen = new Set<z.core.$ZodType>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(schema)) return names;
  seen.add(schema);
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const visit = (child: unknown) => {
    if (child && typeof child === 'object' && '_zod' in child) for (const n of fieldNames(child as z.core.$ZodType, seen)) names.add(n);
  };
  if (def.type === 'object') {
    for (const [key, child] of Object.entries(def.shape as Record<string, unknown>)) {
      names.add(key);
      visit(child);
    }
  }
  for (const key of ['innerType', 'in', 'out', 'element', 'valueType', 'left', 'right']) visit(def[key]);
  if (Array.isArray(def.options)) def.options.forEach(visit);
  return names;
}

it('every config field of the schema is described in docs/configuration.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/configuration.md'), 'utf8');
  const fields = [...fieldNames(configSchema)];
  expect(fields.length).toBeGreaterThan(30);
  const missing = fields.filter((name) => !doc.includes(`\`${name}\``) && !doc.includes(`.${name}\``) && !doc.includes(`${name}:`));
  expect(missing).toEqual([]);
});
