import type { GeminiSchema } from './gemini-api.js';

export interface GeminiSchemaConversion {
  /** Undefined for an object schema without properties: a function without parameters is declared bare. */
  schema: GeminiSchema | undefined;
  /** Constraints Gemini cannot express and that were left out, for a warning; harmless omissions are not listed. */
  dropped: string[];
}

type JsonSchema = Record<string, unknown>;

const TYPES: Record<string, GeminiSchema['type']> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
};

/** Formats Gemini accepts per type; any other `format` is refused by the API. */
const FORMATS: Partial<Record<NonNullable<GeminiSchema['type']>, readonly string[]>> = {
  STRING: ['enum', 'date-time'],
  NUMBER: ['float', 'double'],
  INTEGER: ['int32', 'int64'],
};

const COPIED = ['title', 'description', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'example', 'default', 'propertyOrdering'] as const;

/** Keywords the conversion reads (`$defs` only through `$ref`s); any other keyword is dropped. */
const HANDLED = new Set<string>(['type', 'format', 'enum', 'const', 'nullable', 'items', 'properties', 'required', 'anyOf', 'oneOf', 'allOf', '$ref', '$defs', 'definitions', ...COPIED]);

/**
 * Keywords left out without a word: annotations that constrain nothing, and
 * `additionalProperties` / `unevaluatedProperties` of `false` or `true` — Gemini answers with the
 * declared properties only, which is what `false` asks for. A schema there (a map's value type) is
 * a constraint, and is reported.
 */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', '$anchor', '$dynamicAnchor', '$vocabulary', 'examples', 'deprecated', 'readOnly', 'writeOnly']);
const losesNothing = (key: string, value: unknown): boolean =>
  ANNOTATIONS.has(key) || ((key === 'additionalProperties' || key === 'unevaluatedProperties') && typeof value === 'boolean');

const isSchema = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON Schema (as OpenAI tools and `response_format` carry it) in Gemini's OpenAPI 3.0 subset:
 * upper-case types, `null` types and `anyOf [.., {type: null}]` as `nullable`, `oneOf` as `anyOf`,
 * `const` as a one-value enum, local `$ref`s inlined. Everything else Gemini has no field for
 * (`exclusiveMinimum`, numeric enums, map schemas, ...) is dropped and listed; annotations are dropped silently.
 */
export function convertToGeminiSchema(input: unknown): GeminiSchemaConversion {
  const dropped = new Set<string>();
  const root = isSchema(input) ? input : {};

  const resolve = (ref: string): JsonSchema | undefined => {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = root;
    for (const token of ref.slice(1).split('/').filter(Boolean)) {
      if (!isSchema(node)) return undefined;
      node = node[decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~')];
    }
    return isSchema(node) ? node : undefined;
  };

  const convert = (node: unknown, refs: readonly string[]): GeminiSchema => {
    if (!isSchema(node)) return {};
    if (typeof node.$ref === 'string') {
      const target = resolve(node.$ref);
      if (!target || refs.includes(node.$ref)) {
        dropped.add(target ? '$ref (recursive)' : '$ref');
        return typeof node.description === 'string' ? { description: node.description } : {};
      }
      const resolved = convert(target, [...refs, node.$ref]);
      return typeof node.description === 'string' ? { ...resolved, description: node.description } : resolved;
    }

    const out: GeminiSchema = {};
    for (const key of Object.keys(node)) if (!HANDLED.has(key) && !losesNothing(key, node[key])) dropped.add(key);
    for (const key of COPIED) if (node[key] !== undefined) (out as Record<string, unknown>)[key] = node[key];
    if (node.nullable === true) out.nullable = true;

    const types = (Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type]).filter((t): t is string => typeof t === 'string');
    if (types.includes('null')) out.nullable = true;
    const concrete = types.filter((t) => t !== 'null');
    for (const t of concrete) if (!TYPES[t]) dropped.add(`type ${t}`);
    const known = concrete.filter((t) => TYPES[t]).map((t) => TYPES[t]!);
    if (known.length === 1) out.type = known[0];

    const values = node.const !== undefined ? [node.const] : Array.isArray(node.enum) ? node.enum : undefined;
    if (values) {
      if (values.includes(null)) out.nullable = true;
      const present = values.filter((v) => v !== null);
      if (present.every((v) => typeof v === 'string')) {
        out.enum = present as string[];
        if (known.length === 0) out.type = 'STRING';
      } else dropped.add(node.const !== undefined ? 'const' : 'enum');
    }

    if (typeof node.format === 'string') {
      if (out.type && FORMATS[out.type]?.includes(node.format)) out.format = node.format;
      else dropped.add(`format ${node.format}`);
    }

    // Gemini refuses an empty `properties`, `required` names missing from `properties`, and
    // `properties` or `items` on a schema of another type.
    const object: Pick<GeminiSchema, 'properties' | 'required'> = {};
    const properties = isSchema(node.properties) ? Object.entries(node.properties) : [];
    if (properties.length > 0) object.properties = Object.fromEntries(properties.map(([name, property]) => [name, convert(property, refs)]));
    if (Array.isArray(node.required)) {
      const required = node.required.filter((r): r is string => typeof r === 'string' && object.properties?.[r] !== undefined);
      if (required.length < node.required.length) dropped.add('required (undefined properties)');
      if (required.length > 0) object.required = required;
    }
    const array: Pick<GeminiSchema, 'items'> = {};
    if (isSchema(node.items)) array.items = convert(node.items, refs);
    else if (node.items !== undefined) dropped.add('items');
    if (known.length === 0 && !out.type && isSchema(node.properties)) out.type = 'OBJECT';

    if (known.length > 1) {
      out.anyOf = known.map((type) => ({ type, ...(type === 'OBJECT' ? object : type === 'ARRAY' ? array : {}) }));
    } else {
      if (!out.type || out.type === 'OBJECT') Object.assign(out, object);
      // `properties` and `items` constrain only objects and arrays: on another type they say nothing.
      if (!out.type || out.type === 'ARRAY') Object.assign(out, array);
    }

    const alternatives = [...(Array.isArray(node.anyOf) ? node.anyOf : []), ...(Array.isArray(node.oneOf) ? node.oneOf : [])];
    if (alternatives.length > 0) {
      const converted = alternatives.map((alt) => convert(alt, refs));
      const isNull = (s: GeminiSchema): boolean => s.nullable === true && Object.keys(s).length === 1;
      if (converted.some(isNull)) out.nullable = true;
      const rest = converted.filter((s) => !isNull(s));
      // `Optional[X]` is `anyOf [X, null]`: Gemini says that as X with `nullable`; the node's own keywords win.
      if (rest.length === 1) Object.assign(out, rest[0], { ...out });
      else if (rest.length > 1) out.anyOf = rest;
    }
    if (Array.isArray(node.allOf)) {
      if (node.allOf.length === 1) Object.assign(out, convert(node.allOf[0], refs));
      else dropped.add('allOf');
    }
    return out;
  };

  const schema = convert(root, []);
  const emptyObject = schema.type === 'OBJECT' && Object.keys(schema.properties ?? {}).length === 0;
  return { schema: emptyObject || Object.keys(schema).length === 0 ? undefined : schema, dropped: [...dropped].sort() };
}
