import fc from 'fast-check';

/** The parts of an OpenAPI 3.0 schema the document uses. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

export interface Components {
  schemas: Record<string, Schema>;
}

/** Long enough to cross every length limit of the document, short enough to keep requests small. */
const LONGEST_STRING = 300;

const email = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,14}[a-z0-9]$/), fc.constantFrom('example.com', 'example.org', 'mail.example.net'))
  .map(([local, domain]) => `${local}@${domain}`);

/** Values that a schema accepts (and that the server may still refuse for reasons the schema cannot say). */
export function valid(schema: Schema, components: Components): fc.Arbitrary<unknown> {
  if (schema.$ref) return valid(resolve(schema.$ref, components), components);
  if (schema.allOf) return valid(merge(schema.allOf, components), components);
  if (schema.oneOf || schema.anyOf) return fc.oneof(...(schema.oneOf ?? schema.anyOf)!.map((s) => valid(s, components)));
  const value = validOfType(schema, components);
  return schema.nullable ? fc.option(value, { nil: null }) : value;
}

function validOfType(schema: Schema, components: Components): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'email') return email;
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      const minLength = schema.minLength ?? 0;
      const maxLength = Math.min(schema.maxLength ?? 40, Math.max(minLength, LONGEST_STRING));
      return fc.string({ minLength, maxLength, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz -_.0123456789AZéß中'.split('')) });
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valid(schema.items ?? {}, components), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'object':
    case undefined: {
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, valid(s, components)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) });
    }
    default:
      return fc.jsonValue();
  }
}

/** Values a schema refuses, or that break its object's shape: what a careless or hostile client sends. */
export function invalid(schema: Schema, components: Components): fc.Arbitrary<unknown> {
  const target = flatten(schema, components);
  const mutations: fc.Arbitrary<unknown>[] = [
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(null, '', 0, -1, 2 ** 53, 'x'.repeat(5000), [], {}),
  ];
  if (target.type === 'object' || target.properties) {
    const names = Object.keys(target.properties ?? {});
    const base = valid(target, components) as fc.Arbitrary<Record<string, unknown>>;
    mutations.push(
      // An unknown member: never accepted (additionalProperties: false).
      base.chain((value) => fc.constantFrom('role', 'is_active', 'owner_id', 'id', 'extra').map((name) => ({ ...value, [name]: 'x' }))),
    );
    if (names.length > 0) {
      mutations.push(
        // One member with a value of any type, or missing.
        fc
          .tuple(base, fc.constantFrom(...names), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }))
          .map(([value, name, replacement]) => {
            const copy: Record<string, unknown> = { ...value, [name]: replacement };
            if (replacement === undefined) delete copy[name];
            return copy;
          }),
      );
    }
  }
  return fc.oneof(...mutations);
}

/** One schema for an `allOf` (objects: their members merged) or a `$ref`. */
export function flatten(schema: Schema, components: Components): Schema {
  if (schema.$ref) return flatten(resolve(schema.$ref, components), components);
  if (schema.allOf) return merge(schema.allOf, components);
  return schema;
}

function merge(parts: Schema[], components: Components): Schema {
  const flat = parts.map((part) => flatten(part, components));
  if (flat.length === 1) return flat[0];
  return flat.reduce<Schema>(
    (merged, part) => ({
      ...merged,
      ...part,
      properties: { ...merged.properties, ...part.properties },
      required: [...new Set([...(merged.required ?? []), ...(part.required ?? [])])],
    }),
    {},
  );
}

export function resolve(ref: string, components: Components): Schema {
  const name = ref.replace('#/components/schemas/', '');
  const schema = components.schemas[name];
  if (!schema) throw new Error(`Unknown schema ${ref}`);
  return schema;
}
