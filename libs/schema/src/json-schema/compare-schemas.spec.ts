import { Type } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { Schema } from '../decorators/schema.decorator.js';
import { compareSchemas } from './compare-schemas.js';
import { describeBreakingChanges, describeDifferences } from './describe-differences.js';
import type { JsonSchema } from './json-schema.interface.js';
import { toJsonSchema } from './to-json-schema.js';

class AuthorV1 {
  @IsString() name!: string;
  @IsString() email!: string;
}

class AuthorV2 {
  @IsString() name!: string;
  @IsInt() email!: number;
  @IsString() handle!: string;
}

class TagV1 {
  @IsString() label!: string;
}

class TagV2 {
  @IsString() label!: string;
  @IsOptional() @IsString() colour?: string;
}

@Schema('Post', { version: 1 })
class PostV1 {
  @IsString() title!: string;
  @IsString() @MaxLength(100) body!: string;
  @IsOptional() @IsString() summary?: string;
  @IsString() legacy!: string;
  @ValidateNested() @Type(() => AuthorV1) author!: AuthorV1;
  @IsArray() @ValidateNested({ each: true }) @Type(() => TagV1) tags!: TagV1[];
}

@Schema('Post', { version: 2 })
class PostV2 {
  @IsString() title!: string;
  @IsString() @MaxLength(500) body!: string;
  @IsString() summary!: string;
  @IsString() slug!: string;
  @IsOptional() @IsInt() views?: number;
  @ValidateNested() @Type(() => AuthorV2) author!: AuthorV2;
  @IsArray() @ValidateNested({ each: true }) @Type(() => TagV2) tags!: TagV2[];
}

@Schema('Post', { version: 3 })
class PostV3 {
  @IsString() title!: string;
  @IsString() @MaxLength(100) body!: string;
  @IsOptional() @IsString() summary?: string;
  @IsString() legacy!: string;
  @ValidateNested() @Type(() => AuthorV1) author!: AuthorV1;
  @IsArray() @ValidateNested({ each: true }) @Type(() => TagV1) tags!: TagV1[];
  @IsOptional() @IsString() subtitle?: string;
}

const v1 = toJsonSchema(PostV1);
const v2 = toJsonSchema(PostV2);
const v3 = toJsonSchema(PostV3);

describe('compareSchemas', () => {
  it('reports identical documents as compatible', () => {
    const report = compareSchemas(v1, structuredClone(v1), { previousVersion: 1, nextVersion: 1 });
    expect(report).toEqual({
      compatible: true,
      identical: true,
      addedRequired: [],
      addedOptional: [],
      removed: [],
      typeChanged: [],
      changed: [],
      breaking: [],
    });
    expect(describeDifferences(report)).toBe('no differences');
  });

  it('ignores $id and title, which name the version', () => {
    const report = compareSchemas(
      v1,
      { ...v1, $id: 'urn:samsa:schema:Post:9', title: 'Post:9' },
      {
        previousVersion: 1,
        nextVersion: 9,
      },
    );
    expect(report).toMatchObject({ compatible: true, identical: true });
  });

  it('rejects any difference within the same version, listing it', () => {
    const report = compareSchemas(v1, v3, { previousVersion: 1, nextVersion: 1 });
    expect(report).toMatchObject({ compatible: false, identical: false, addedOptional: ['subtitle'] });
    expect(describeDifferences(report)).toBe('optional property added: subtitle');
  });

  it('lists a constraint change within the same version', () => {
    const changed = structuredClone(v1) as { properties: { body: { maxLength: number } } };
    changed.properties.body.maxLength = 101;
    const report = compareSchemas(v1, changed as unknown as JsonSchema, {
      previousVersion: 1,
      nextVersion: 1,
    });
    expect(report).toMatchObject({ compatible: false, identical: false, changed: ['body'] });
    expect(describeDifferences(report)).toBe('constraints changed: body');
  });

  it('reports a difference it cannot place as a document change', () => {
    const renamed = JSON.parse(JSON.stringify(v1).replaceAll('AuthorV1', 'Writer')) as JsonSchema;
    const report = compareSchemas(v1, renamed, { previousVersion: 1, nextVersion: 1 });
    expect(report).toMatchObject({ compatible: false, identical: false, changed: ['(document)'] });
  });

  it('accepts a new version that only adds optional properties', () => {
    const report = compareSchemas(v1, v3, { previousVersion: 1, nextVersion: 2 });
    expect(report).toEqual({
      compatible: true,
      identical: false,
      addedRequired: [],
      addedOptional: ['subtitle'],
      removed: [],
      typeChanged: [],
      changed: [],
      breaking: [],
    });
  });

  it('lists added required, removed and retyped properties of a new version, through $refs and arrays', () => {
    const report = compareSchemas(v1, v2, { previousVersion: 1, nextVersion: 2 });
    expect(report).toEqual({
      compatible: false,
      identical: false,
      addedRequired: ['author.handle', 'slug', 'summary'],
      addedOptional: ['tags[].colour', 'views'],
      removed: ['legacy'],
      // @IsOptional() admits null: making the property required also narrows its type.
      typeChanged: [
        { path: 'author.email', from: 'string', to: 'integer' },
        { path: 'summary', from: 'null|string', to: 'string' },
      ],
      changed: ['body'],
      breaking: [],
    });
    expect(describeDifferences(report)).toBe(
      [
        'required property added: author.handle',
        'required property added: slug',
        'required property added: summary',
        'property removed: legacy',
        'type changed: author.email (string -> integer)',
        'type changed: summary (null|string -> string)',
        'optional property added: tags[].colour',
        'optional property added: views',
        'constraints changed: body',
      ].join('\n'),
    );
  });

  it('describes array and nullable types', () => {
    const previous: JsonSchema = {
      type: 'object',
      properties: { ids: { type: 'array', items: { type: 'string' } }, note: { type: 'string' } },
    };
    const next: JsonSchema = {
      type: 'object',
      properties: { ids: { type: 'array', items: { type: 'integer' } }, note: { type: ['string', 'null'] } },
    };
    expect(compareSchemas(previous, next, { previousVersion: 1, nextVersion: 2 }).typeChanged).toEqual([
      { path: 'ids', from: 'array<string>', to: 'array<integer>' },
      { path: 'note', from: 'string', to: 'null|string' },
    ]);
  });

  it('stops on recursive definitions', () => {
    const tree = (labelType: string): JsonSchema => ({
      type: 'object',
      properties: { root: { $ref: '#/$defs/Node' } },
      $defs: {
        Node: {
          type: 'object',
          properties: {
            label: { type: labelType },
            children: { type: 'array', items: { $ref: '#/$defs/Node' } },
          },
        },
      },
    });
    const report = compareSchemas(tree('string'), tree('number'), { previousVersion: 1, nextVersion: 2 });
    expect(report.typeChanged).toEqual([{ path: 'root.label', from: 'string', to: 'number' }]);
  });

  it('reports a changed root type', () => {
    const report = compareSchemas(
      { type: 'object' },
      { type: 'array' },
      { previousVersion: 1, nextVersion: 2 },
    );
    expect(report.typeChanged).toEqual([{ path: '(root)', from: 'object', to: 'array' }]);
    expect(report.compatible).toBe(false);
  });

  describe('compatibility modes (as Confluent Schema Registry)', () => {
    const document = (properties: Record<string, JsonSchema>, required: string[]): JsonSchema => ({
      type: 'object',
      properties,
      required,
    });
    const previous = document(
      {
        id: { type: 'string' },
        count: { type: 'integer' },
        note: { type: 'string' },
        gone: { type: 'string' },
      },
      ['id', 'count', 'gone'],
    );
    const next = document(
      {
        id: { type: 'string' },
        count: { type: 'number' },
        note: { type: 'string' },
        extra: { type: 'boolean' },
      },
      ['id', 'count', 'note', 'extra'],
    );
    const check = (mode: 'backward' | 'forward' | 'full' | 'none') =>
      compareSchemas(previous, next, { previousVersion: 1, nextVersion: 2, mode });

    it('backward: new required properties and narrowed types break, widened types and removals do not', () => {
      const report = check('backward');
      expect(report.compatible).toBe(false);
      expect(report.breaking).toEqual([
        { path: 'extra', change: 'required property added', from: 'absent', to: 'boolean' },
        { path: 'note', change: 'property made required', from: 'string', to: 'string' },
      ]);
      expect(describeBreakingChanges(report.breaking)).toBe(
        'extra: required property added (absent -> boolean)\nnote: property made required (string -> string)',
      );
    });

    it('forward: removed required properties and widened types break', () => {
      expect(check('forward').breaking).toEqual([
        { path: 'count', change: 'type changed', from: 'integer', to: 'number' },
        { path: 'gone', change: 'required property removed', from: 'string', to: 'absent' },
      ]);
    });

    it('full: both; none: nothing', () => {
      expect(check('full').breaking.map(({ path }) => path)).toEqual(['count', 'extra', 'gone', 'note']);
      expect(check('none')).toMatchObject({ compatible: true, breaking: [] });
    });

    it('forward: a required property made optional breaks older readers', () => {
      const loosened = document({ id: { type: 'string' } }, []);
      const report = compareSchemas(document({ id: { type: 'string' } }, ['id']), loosened, {
        previousVersion: 1,
        nextVersion: 2,
        mode: 'forward',
      });
      expect(report.breaking).toEqual([
        { path: 'id', change: 'property made optional', from: 'string', to: 'string' },
      ]);
    });
  });
});
