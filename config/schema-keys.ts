// The field names the schema allows at a path of the config (`projects.app` → repo, build,
// path …), for "did you mean" on a misspelt key. Walks the zod schema: records give their
// value schema, unions every object branch's keys. Pure.
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schemas that `schema` can be at `path` (several below a union). */
function schemasAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): z.ZodType[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
      return schemasAt(def.innerType!, path);
    case 'pipe':
      return schemasAt(def.in!, path);
    case 'lazy':
      return schemasAt(def.getter!(), path);
    case 'union':
      return def.options!.flatMap((option) => schemasAt(option, path));
    default:
      break;
  }
  if (path.length === 0) return [schema];
  const [head, ...rest] = path;
  if (def.type === 'object') {
    const next = def.shape![String(head)];
    return next ? schemasAt(next, rest) : [];
  }
  if (def.type === 'record') return schemasAt(def.valueType!, rest);
  if (def.type === 'array') return schemasAt(def.element!, rest);
  return [];
}

export function knownKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  const keys = schemasAt(schema, path).flatMap((found) => {
    const def = defOf(found);
    return def.type === 'object' ? Object.keys(def.shape!) : [];
  });
  return [...new Set(keys)];
}
