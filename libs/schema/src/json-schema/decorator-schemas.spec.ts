import { Type } from 'class-transformer';
import {
  IsDate,
  IsDateString,
  IsDefined,
  IsEmail,
  IsEnum,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { describe, expect, it } from 'vitest';
import { Schema } from '../decorators/schema.decorator.js';
import { DuplicateDefinitionNameError } from './duplicate-definition-name.error.js';
import type { JsonSchema } from './json-schema.interface.js';
import { toJsonSchema } from './to-json-schema.js';

enum Priority {
  Low = 1,
  High = 2,
}

class Address {
  @IsString() city!: string;
}

function propertiesOf(target: new () => object): Record<string, JsonSchema> {
  return toJsonSchema(target).properties as Record<string, JsonSchema>;
}

describe('toJsonSchema: each decorator as class-validator applies it', () => {
  it('describes a @Type(() => Date) date with anyOf (never a oneOf both branches match), epoch millis included', () => {
    @Schema('DateProbe')
    class DateProbe {
      @IsDate() @Type(() => Date) at!: Date;
    }
    const schema = propertiesOf(DateProbe).at;
    expect(JSON.stringify(schema)).not.toContain('oneOf');
    expect(schema.anyOf).toContainEqual({ type: 'number', minimum: -8.64e15, maximum: 8.64e15 });
    expect(schema.anyOf).toContainEqual({ type: 'string' });
  });

  it('lists a numeric enum with the values class-validator accepts, names included, without a type', () => {
    @Schema('EnumProbe')
    class EnumProbe {
      @IsEnum(Priority) priority!: Priority;
      @IsIn([1, 'two', true]) mixed!: unknown;
    }
    expect(propertiesOf(EnumProbe)).toEqual({
      priority: { enum: ['Low', 'High', 1, 2] },
      mixed: { enum: [1, 'two', true] },
    });
  });

  it('lets @IsOptional() properties be null or missing', () => {
    @Schema('OptionalProbe')
    class OptionalProbe {
      @IsOptional() @IsString() note?: string;
      @IsOptional() @IsEnum(Priority) priority?: Priority;
    }
    const document = toJsonSchema(OptionalProbe);
    expect(document.properties).toEqual({
      note: { type: ['string', 'null'] },
      priority: { enum: ['Low', 'High', 1, 2, null] },
    });
    expect(document.required).toBeUndefined();
  });

  it('requires a nested object only with @IsDefined(), as class-validator does', () => {
    @Schema('NestedProbe')
    class NestedProbe {
      @ValidateNested() @Type(() => Address) shipping?: Address;
      @IsDefined() @ValidateNested() @Type(() => Address) billing!: Address;
    }
    expect(toJsonSchema(NestedProbe).required).toEqual(['billing']);
  });

  it('keeps a flagless @Matches pattern and loosens a case-insensitive one to any string', () => {
    @Schema('MatchesProbe')
    class MatchesProbe {
      @Matches(/^[A-Z]{3}$/) exact!: string;
      @Matches(/^[a-z]{3}$/i) caseless!: string;
    }
    expect(propertiesOf(MatchesProbe)).toEqual({
      exact: { type: 'string', pattern: '^[A-Z]{3}$' },
      caseless: { type: 'string' },
    });
  });

  it('accepts what @IsDateString() accepts: with or without fractions and time', () => {
    @Schema('DateStringProbe')
    class DateStringProbe {
      @IsDateString() when!: string;
    }
    const pattern = new RegExp(propertiesOf(DateStringProbe).when.pattern as string, 'u');
    for (const value of ['2024-05-01T10:00:00Z', '2024-05-01', '2024-05-01T10:00:00.123+02:00']) {
      expect(pattern.test(value)).toBe(true);
    }
    expect(pattern.test('2024-13-01')).toBe(false);
  });

  it('counts @MaxLength characters as validator.js does (a presentation sequence is one)', () => {
    @Schema('LengthProbe')
    class LengthProbe {
      @MaxLength(2) short!: string;
    }
    const pattern = new RegExp(propertiesOf(LengthProbe).short.pattern as string, 'u');
    expect(pattern.test('❤️❤️')).toBe(true); // 4 code points, 2 characters for validator.js
    expect(pattern.test('😀😀')).toBe(true);
    expect(pattern.test('abc')).toBe(false);
  });

  it('describes @IsEmail() without format "email", which accepts addresses validator.js refuses and the reverse', () => {
    @Schema('EmailProbe')
    class EmailProbe {
      @IsEmail() email!: string;
    }
    // what validator.js always needs: an @ and, by default, a dot in the domain after the last @
    expect(propertiesOf(EmailProbe).email).toEqual({ type: 'string', pattern: '@[^@]*\\.' });
  });

  it('allows anything for a @ValidateIf() property, which validation may skip', () => {
    @Schema('ValidateIfProbe')
    class ValidateIfProbe {
      @ValidateIf((o: { kind?: string }) => o.kind === 'card') @IsString() card?: string;
    }
    expect(toJsonSchema(ValidateIfProbe)).toMatchObject({ properties: { card: {} } });
    expect(toJsonSchema(ValidateIfProbe).required).toBeUndefined();
  });

  it("applies class-validator-jsonschema's @JSONSchema() overrides, objects and functions", () => {
    @Schema('OverrideProbe')
    @JSONSchema({ description: 'an override of the class' })
    class OverrideProbe {
      @IsString() @JSONSchema({ format: 'uri' }) link!: string;
      @IsString() @JSONSchema((generated) => ({ ...generated, description: 'kept' })) label!: string;
    }
    const document = toJsonSchema(OverrideProbe);
    expect(document.description).toBe('an override of the class');
    expect(document.properties).toEqual({
      link: { type: 'string', format: 'uri' },
      label: { type: 'string', description: 'kept' },
    });
  });

  it('refuses two different nested classes with the same name', () => {
    const first = (() => {
      class Part {
        @IsString() a!: string;
      }
      return Part;
    })();
    const second = (() => {
      class Part {
        @IsString() b!: string;
      }
      return Part;
    })();
    @Schema('DuplicateProbe')
    class DuplicateProbe {
      @ValidateNested() @Type(() => first) one!: object;
      @ValidateNested() @Type(() => second) two!: object;
    }
    expect(() => toJsonSchema(DuplicateProbe)).toThrow(DuplicateDefinitionNameError);
  });
});
