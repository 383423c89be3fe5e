import { Type } from 'class-transformer';
import {
  IsArray,
  IsEmail,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Min,
  Validate,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { afterEach, describe, expect, it } from 'vitest';
import { Schema } from '../decorators/schema.decorator.js';
import { MessageValidationError } from '../errors/message-validation.error.js';
import { SchemaError } from '../errors/schema.error.js';
import { validateMessage, validateMessageSync } from './validate-message.js';

class Author {
  @IsString() name!: string;
  @IsEmail() email!: string;
}

class Item {
  @IsString() name!: string;
  @IsInt() @Min(1) quantity!: number;
}

@Schema('Order', { version: 1 })
class OrderMessage {
  @IsString() id!: string;
  @ValidateNested() @Type(() => Author) author!: Author;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Item) items!: Item[];
  @IsOptional() @IsString() note?: string;
  @IsOptional() @IsObject() meta?: Record<string, unknown>;
}

const valid = () => ({
  id: 'o-1',
  author: { name: 'Ada', email: 'ada@example.com' },
  items: [
    { name: 'pen', quantity: 2 },
    { name: 'ink', quantity: 1 },
  ],
});

async function failure(run: () => unknown): Promise<MessageValidationError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(MessageValidationError);
    expect(error).toBeInstanceOf(SchemaError);
    return error as MessageValidationError;
  }
  throw new Error('validation did not fail');
}

describe.each([
  ['validateMessage', validateMessage],
  ['validateMessageSync', validateMessageSync],
] as const)('%s', (_name, validateFn) => {
  const run = (data: unknown, options?: { forbidUnknown?: boolean }) =>
    Promise.resolve(validateFn(OrderMessage, data, options));

  it('returns an instance of the class with nested instances', async () => {
    const order = await run(valid());
    expect(order).toBeInstanceOf(OrderMessage);
    expect(order.author).toBeInstanceOf(Author);
    expect(order.items[1]).toBeInstanceOf(Item);
    expect(order).toEqual(valid());
  });

  it('does not mutate its input', async () => {
    const data = { ...valid(), extra: 1 };
    await run(data);
    expect(data).toEqual({ ...valid(), extra: 1 });
  });

  it('strips unknown properties by default, at every depth', async () => {
    const order = await run({
      ...valid(),
      extra: 'dropped',
      author: { ...valid().author, admin: true },
      items: [{ name: 'pen', quantity: 2, price: 3 }],
    });
    expect(order).not.toHaveProperty('extra');
    expect(order.author).not.toHaveProperty('admin');
    expect(order.items[0]).not.toHaveProperty('price');
    expect(order.items[0]).toEqual({ name: 'pen', quantity: 2 });
  });

  it('rejects unknown properties with forbidUnknown', async () => {
    const error = await failure(() =>
      run({ ...valid(), extra: 1, author: { ...valid().author, admin: true } }, { forbidUnknown: true }),
    );
    expect(error.issues).toEqual([
      { path: 'extra', constraints: ['property extra should not exist'] },
      { path: 'author.admin', constraints: ['property admin should not exist'] },
    ]);
  });

  it('reports nested object and array item paths', async () => {
    const error = await failure(() =>
      run({
        id: 7,
        author: { name: 'Ada', email: 'not-an-email' },
        items: [
          { name: 'pen', quantity: 2 },
          { name: 42, quantity: 0 },
        ],
      }),
    );
    expect(error.className).toBe('OrderMessage');
    expect(error.issues).toEqual([
      { path: 'id', constraints: ['id must be a string'] },
      { path: 'author.email', constraints: ['email must be an email'] },
      { path: 'items[1].name', constraints: ['name must be a string'] },
      { path: 'items[1].quantity', constraints: ['quantity must not be less than 1'] },
    ]);
    expect(error.message).toBe(
      [
        'Message does not match OrderMessage (4 issues):',
        '  - id: id must be a string',
        '  - author.email: email must be an email',
        '  - items[1].name: name must be a string',
        '  - items[1].quantity: quantity must not be less than 1',
        'Fix the producer, or publish a new schema version if the contract changed.',
      ].join('\n'),
    );
  });

  it('reports nested values that are not objects and lists that are not arrays', async () => {
    const error = await failure(() => run({ id: 'o-1', author: 'Ada', items: 'pen' }));
    expect(error.issues).toEqual([
      { path: 'author', constraints: ['nested property author must be either object or array'] },
      {
        path: 'items',
        constraints: expect.arrayContaining(['items must be an array']) as unknown as string[],
      },
    ]);
  });

  it.each([
    ['null', null],
    ['array', [valid()]],
    ['string', 'order'],
    ['number', 1],
    ['undefined', undefined],
  ])('rejects %s as message data', async (received, data) => {
    const error = await failure(() => run(data));
    expect(error.issues).toEqual([
      { path: '', constraints: [`message data must be an object, got ${received}`] },
    ]);
    expect(error.message).toContain('  - (message): message data must be an object');
  });

  describe('prototype keys', () => {
    afterEach(() => {
      for (const key of ['polluted', 'isAdmin']) delete (Object.prototype as Record<string, unknown>)[key];
    });

    it('drops __proto__, constructor and prototype at every depth without polluting Object.prototype', async () => {
      const json =
        '{"id":"o-1","__proto__":{"polluted":true},"constructor":{"prototype":{"isAdmin":true}},' +
        '"prototype":{"x":1},"author":{"name":"Ada","email":"ada@example.com","__proto__":{"polluted":true}},' +
        '"items":[{"name":"pen","quantity":1,"constructor":{"prototype":{"isAdmin":true}}}]}';
      const data: unknown = JSON.parse(json);

      const order = await run(data);

      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      for (const object of [order, order.author, order.items[0]]) {
        expect(Object.hasOwn(object, '__proto__')).toBe(false);
        expect(Object.hasOwn(object, 'constructor')).toBe(false);
        expect(Object.hasOwn(object, 'prototype')).toBe(false);
      }
      expect(Object.getPrototypeOf(order)).toBe(OrderMessage.prototype);
      expect(Object.getPrototypeOf(order.author)).toBe(Author.prototype);
      expect(order.constructor).toBe(OrderMessage);
      expect(order).toEqual({ ...valid(), items: [{ name: 'pen', quantity: 1 }] });
    });

    it('drops them inside free-form objects that class-validator does not walk', async () => {
      const data: unknown = JSON.parse(
        '{"id":"o-1","author":{"name":"Ada","email":"ada@example.com"},"items":[],' +
          '"meta":{"tag":"a","prototype":{"isAdmin":true},"nested":[{"__proto__":{"polluted":true},"ok":1}]}}',
      );

      const order = await run(data);

      expect(order.meta).toEqual({ tag: 'a', nested: [{ ok: 1 }] });
      expect(Object.hasOwn(order.meta ?? {}, 'prototype')).toBe(false);
      const nested = (order.meta?.nested as object[])[0];
      expect(Object.hasOwn(nested, '__proto__')).toBe(false);
      expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('drops them even with forbidUnknown (they are never treated as message properties)', async () => {
      const json =
        '{"__proto__":{"polluted":true},"prototype":1,"constructor":2,' + JSON.stringify(valid()).slice(1);
      const order = await run(JSON.parse(json), { forbidUnknown: true });
      expect(Object.hasOwn(order, '__proto__')).toBe(false);
      expect(Object.hasOwn(order, 'prototype')).toBe(false);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});

describe('asynchronous validators', () => {
  @ValidatorConstraint({ name: 'slowlyRejected', async: true })
  class SlowlyRejected implements ValidatorConstraintInterface {
    async validate(): Promise<boolean> {
      return false;
    }
    defaultMessage(): string {
      return 'rejected asynchronously';
    }
  }

  @Schema('Async')
  class AsyncMessage {
    @Validate(SlowlyRejected) value!: string;
  }

  it('are applied by validateMessage', async () => {
    const error = await failure(() => validateMessage(AsyncMessage, { value: 'x' }));
    expect(error.issues).toEqual([{ path: 'value', constraints: ['rejected asynchronously'] }]);
  });

  it('are skipped by validateMessageSync (documented as unsupported)', () => {
    expect(validateMessageSync(AsyncMessage, { value: 'x' })).toEqual({ value: 'x' });
  });
});
