import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertToGeminiSchema } from './convert-to-gemini-schema.js';

describe('convertToGeminiSchema (JSON Schema in, Gemini schema out)', () => {
  it('upper-cases types and keeps the keywords Gemini has', () => {
    const { schema, dropped } = convertToGeminiSchema({
      type: 'object',
      title: 'Search',
      description: 'A product search',
      properties: {
        query: { type: 'string', minLength: 1, maxLength: 50, pattern: '^[a-z]+$', description: 'What to find' },
        max_price: { type: 'number', minimum: 0, maximum: 1000, format: 'double' },
        tags: { type: 'array', items: { type: 'string', enum: ['new', 'used'] }, minItems: 1, maxItems: 3 },
        when: { type: 'string', format: 'date-time' },
        in_stock: { type: 'boolean', default: true },
      },
      required: ['query'],
    });
    assert.deepEqual(schema, {
      type: 'OBJECT',
      title: 'Search',
      description: 'A product search',
      properties: {
        query: { type: 'STRING', minLength: 1, maxLength: 50, pattern: '^[a-z]+$', description: 'What to find' },
        max_price: { type: 'NUMBER', minimum: 0, maximum: 1000, format: 'double' },
        tags: { type: 'ARRAY', items: { type: 'STRING', enum: ['new', 'used'] }, minItems: 1, maxItems: 3 },
        when: { type: 'STRING', format: 'date-time' },
        in_stock: { type: 'BOOLEAN', default: true },
      },
      required: ['query'],
    });
    assert.deepEqual(dropped, []);
  });

  it('says null as nullable: type arrays, anyOf with null, enums with null', () => {
    const { schema } = convertToGeminiSchema({
      type: 'object',
      properties: {
        a: { type: ['string', 'null'] },
        b: { anyOf: [{ type: 'integer' }, { type: 'null' }], description: 'Optional count' },
        c: { enum: ['x', 'y', null] },
        d: { oneOf: [{ type: 'string' }, { type: 'number' }] },
        e: { type: ['string', 'number'] },
        f: { const: 'fixed' },
      },
    });
    assert.deepEqual(schema!.properties, {
      a: { type: 'STRING', nullable: true },
      b: { type: 'INTEGER', nullable: true, description: 'Optional count' },
      c: { type: 'STRING', enum: ['x', 'y'], nullable: true },
      d: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] },
      e: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] },
      f: { type: 'STRING', enum: ['fixed'] },
    });
  });

  it('inlines local $refs (as Pydantic writes them) and drops recursive ones', () => {
    const { schema, dropped } = convertToGeminiSchema({
      $defs: {
        Address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        Node: { type: 'object', properties: { name: { type: 'string' }, child: { $ref: '#/$defs/Node' } } },
      },
      type: 'object',
      properties: { home: { $ref: '#/$defs/Address', description: 'Where they live' }, tree: { $ref: '#/$defs/Node' }, old: { $ref: '#/definitions/Missing' } },
    });
    assert.deepEqual(schema!.properties, {
      home: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'], description: 'Where they live' },
      tree: { type: 'OBJECT', properties: { name: { type: 'STRING' }, child: {} } },
      old: {},
    });
    assert.deepEqual(dropped, ['$ref', '$ref (recursive)']);
  });

  it('drops and lists what Gemini cannot express', () => {
    const { schema, dropped } = convertToGeminiSchema({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email' },
        level: { type: 'integer', enum: [1, 2, 3] },
        ratio: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.5 },
        pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] },
        both: { allOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'object', properties: { b: { type: 'string' } } }] },
      },
      additionalProperties: false,
    });
    assert.deepEqual(schema!.properties, { email: { type: 'STRING' }, level: { type: 'INTEGER' }, ratio: { type: 'NUMBER' }, pair: { type: 'ARRAY' }, both: {} });
    assert.deepEqual(dropped, ['allOf', 'enum', 'exclusiveMinimum', 'format email', 'items', 'multipleOf']);
  });

  it('keeps what Gemini would refuse out: empty properties, unknown required names, properties or items on another type', () => {
    const { schema, dropped } = convertToGeminiSchema({
      type: 'object',
      properties: {
        options: { type: 'object', properties: {} },
        free: { type: 'object', additionalProperties: { type: 'string' } },
        name: { type: 'string', properties: { x: { type: 'string' } } },
        either: { type: ['object', 'array'], properties: { a: { type: 'string' } }, items: { type: 'number' } },
      },
      required: ['name', 'ghost'],
    });
    assert.deepEqual(schema, {
      type: 'OBJECT',
      properties: {
        options: { type: 'OBJECT' },
        free: { type: 'OBJECT' },
        name: { type: 'STRING' },
        either: { anyOf: [{ type: 'OBJECT', properties: { a: { type: 'STRING' } } }, { type: 'ARRAY', items: { type: 'NUMBER' } }] },
      },
      required: ['name'],
    });
    assert.deepEqual(dropped, ['additionalProperties', 'required (undefined properties)'], 'a map schema is a constraint; properties of a string constrain nothing');
  });

  it('lists nothing for keywords whose loss loses no constraint: annotations, and additionalProperties false or true', () => {
    // What zod's toJSONSchema writes for z.object({ city: z.string(), days: z.number().int() }).
    const zod = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 } },
      required: ['city', 'days'],
      additionalProperties: false,
    };
    const { schema, dropped } = convertToGeminiSchema(zod);
    assert.equal(schema!.type, 'OBJECT');
    assert.deepEqual(dropped, []);
    const annotated = convertToGeminiSchema({
      $id: 'urn:x', $comment: 'c', type: 'object', additionalProperties: true, unevaluatedProperties: false,
      properties: { a: { type: 'string', examples: ['x'], deprecated: true, readOnly: true, writeOnly: false, $anchor: 'a' } },
    });
    assert.deepEqual(annotated.dropped, []);
  });

  it('has no schema for an object without properties, which Gemini refuses as parameters', () => {
    assert.equal(convertToGeminiSchema({ type: 'object', properties: {} }).schema, undefined);
    assert.equal(convertToGeminiSchema({ type: 'object', additionalProperties: false }).schema, undefined);
    assert.equal(convertToGeminiSchema(undefined).schema, undefined);
  });
});
