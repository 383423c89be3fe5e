import { Type } from 'class-transformer';
import {
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { describe, expect, it } from 'vitest';
import { Schema } from '../decorators/schema.decorator.js';
import { NotASchemaClassError } from '../errors/not-a-schema-class.error.js';
import type { JsonSchema } from './json-schema.interface.js';
import { toJsonSchema } from './to-json-schema.js';

class Author {
  @IsString() name!: string;
  @IsEmail() email!: string;
}

class Item {
  @IsString() @MaxLength(20) name!: string;
  @IsInt() @Min(1) quantity!: number;
}

class Unrelated {
  @IsString() nobodyReferencesMe!: string;
}

@Schema('Order', { version: 1 })
class OrderMessage {
  @IsString() id!: string;
  @ValidateNested() @Type(() => Author) author!: Author;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Item) items!: Item[];
  @IsOptional() @IsIn(['gift', 'standard']) wrapping?: string;
  @IsOptional() @IsString({ each: true }) tags?: string[];
}

/** Every `$ref` in `document`, resolved as a JSON pointer inside the document itself. */
function unresolvedRefs(document: JsonSchema): string[] {
  const refs: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref') refs.push(String(value));
        else walk(value);
      }
    }
  };
  walk(document);
  return refs.filter((ref) => {
    let target: unknown = document;
    for (const segment of ref.replace(/^#\//, '').split('/')) {
      target = (target as Record<string, unknown> | undefined)?.[segment];
    }
    return target === undefined;
  });
}

describe('toJsonSchema', () => {
  it('generates a self-contained JSON Schema with nested classes in $defs', () => {
    expect(toJsonSchema(OrderMessage)).toMatchInlineSnapshot(`
      {
        "$comment": "samsa toJsonSchema generation 2",
        "$defs": {
          "Author": {
            "properties": {
              "email": {
                "pattern": "@[^@]*\\.",
                "type": "string",
              },
              "name": {
                "type": "string",
              },
            },
            "required": [
              "email",
              "name",
            ],
            "type": "object",
          },
          "Item": {
            "properties": {
              "name": {
                "$comment": "0 to 20 characters as validator.js counts them (an emoji presentation sequence is one)",
                "pattern": "^(?:[^\\uFE0E\\uFE0F](?:[\\uFE0E\\uFE0F]|(?![\\uFE0E\\uFE0F]))|[\\uFE0E\\uFE0F]){0,20}$",
                "type": "string",
              },
              "quantity": {
                "minimum": 1,
                "type": "integer",
              },
            },
            "required": [
              "name",
              "quantity",
            ],
            "type": "object",
          },
        },
        "$id": "urn:samsa:schema:Order:1",
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "properties": {
          "author": {
            "anyOf": [
              {
                "$ref": "#/$defs/Author",
              },
              {
                "items": {
                  "anyOf": [
                    {
                      "$ref": "#/$defs/Author",
                    },
                    {
                      "type": "array",
                    },
                  ],
                },
                "type": "array",
              },
            ],
          },
          "id": {
            "type": "string",
          },
          "items": {
            "items": {
              "anyOf": [
                {
                  "$ref": "#/$defs/Item",
                },
                {
                  "type": "array",
                },
              ],
            },
            "type": "array",
          },
          "tags": {
            "anyOf": [
              {
                "type": "null",
              },
              {
                "anyOf": [
                  {
                    "items": {
                      "type": "string",
                    },
                    "type": "array",
                  },
                  {
                    "type": "string",
                  },
                ],
              },
            ],
          },
          "wrapping": {
            "enum": [
              "gift",
              "standard",
              null,
            ],
          },
        },
        "required": [
          "id",
          "items",
        ],
        "title": "Order:1",
        "type": "object",
      }
    `);
  });

  it('resolves every $ref inside the document and leaves unrelated classes out', () => {
    const document = toJsonSchema(OrderMessage);
    expect(unresolvedRefs(document)).toEqual([]);
    expect(Object.keys(document.$defs as object)).toEqual(['Author', 'Item']);
    expect(JSON.stringify(document)).not.toContain(Unrelated.name);
  });

  it('is deterministic: the same class gives byte-identical JSON, keys sorted at every depth', () => {
    const first = JSON.stringify(toJsonSchema(OrderMessage));
    expect(JSON.stringify(toJsonSchema(OrderMessage))).toBe(first);
    const keysSorted = (node: unknown): boolean =>
      Array.isArray(node)
        ? node.every(keysSorted)
        : typeof node !== 'object' || node === null
          ? true
          : Object.keys(node).join() === Object.keys(node).sort().join() &&
            Object.values(node).every(keysSorted);
    expect(keysSorted(JSON.parse(first))).toBe(true);
  });

  it('does not depend on the order properties are declared in', () => {
    @Schema('Shuffled', { version: 1 })
    class ShuffledA {
      @IsInt() b!: number;
      @IsString() a!: string;
    }
    @Schema('Shuffled', { version: 1 })
    class ShuffledB {
      @IsString() a!: string;
      @IsInt() b!: number;
    }
    expect(JSON.stringify(toJsonSchema(ShuffledA))).toBe(JSON.stringify(toJsonSchema(ShuffledB)));
    expect(toJsonSchema(ShuffledA).required).toEqual(['a', 'b']);
  });

  it('supports recursive classes', () => {
    class TreeNode {
      @IsString() label!: string;
      @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => TreeNode) children?: TreeNode[];
    }
    @Schema('Tree')
    class TreeMessage {
      @ValidateNested() @Type(() => TreeNode) root!: TreeNode;
    }
    const document = toJsonSchema(TreeMessage);
    const nested = {
      anyOf: [
        { $ref: '#/$defs/TreeNode' },
        { items: { anyOf: [{ $ref: '#/$defs/TreeNode' }, { type: 'array' }] }, type: 'array' },
      ],
    };
    expect(document.properties).toEqual({ root: nested });
    expect(document.$defs).toEqual({
      TreeNode: {
        properties: {
          children: {
            items: { anyOf: [{ $ref: '#/$defs/TreeNode' }, { type: 'array' }] },
            type: ['array', 'null'],
          },
          label: { type: 'string' },
        },
        required: ['label'],
        type: 'object',
      },
    });
    expect(unresolvedRefs(document)).toEqual([]);
  });

  it('describes a new version that only extends the previous class', () => {
    @Schema('Content', { version: 1 })
    class ContentV1 {
      @IsString() title!: string;
    }
    @Schema('Content', { version: 2 })
    class ContentV2 extends ContentV1 {}

    const document = toJsonSchema(ContentV2);
    expect(document).toMatchObject({
      $id: 'urn:samsa:schema:Content:2',
      title: 'Content:2',
      properties: { title: { type: 'string' } },
      required: ['title'],
      type: 'object',
    });
  });

  it('describes a class without validation decorators as an empty object', () => {
    @Schema('Empty', { version: 4 })
    class EmptyMessage {}
    expect(toJsonSchema(EmptyMessage)).toEqual({
      $comment: 'samsa toJsonSchema generation 2',
      $id: 'urn:samsa:schema:Empty:4',
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      properties: {},
      title: 'Empty:4',
      type: 'object',
    });
  });

  it('refuses classes without @Schema()', () => {
    expect(() => toJsonSchema(Unrelated)).toThrow(NotASchemaClassError);
  });
});
