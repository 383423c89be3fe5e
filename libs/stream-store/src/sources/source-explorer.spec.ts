import { Injectable, Scope } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/configuration.error.js';
import { SourceExplorer } from './source-explorer.js';
import { StreamSource } from './stream-source.decorator.js';

@Injectable()
class Numbers {
  readonly base = 10;

  @StreamSource({ sink: 'numbers', every: '1m' })
  *numbers() {
    yield { n: this.base };
  }

  notASource() {
    return [];
  }
}

@Injectable({ scope: Scope.REQUEST })
class PerRequest {
  @StreamSource({ sink: 'numbers' })
  numbers() {
    return [];
  }
}

async function explore(providers: Parameters<typeof Test.createTestingModule>[0]['providers']) {
  const module = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [SourceExplorer, ...(providers ?? [])],
  }).compile();
  return module.get(SourceExplorer).explore();
}

describe('SourceExplorer', () => {
  it('finds @StreamSource methods with their options, bound to the instance', async () => {
    const [found, ...others] = await explore([Numbers, { provide: 'alias', useExisting: Numbers }]);
    expect(others).toEqual([]);
    expect(found.id).toBe('Numbers.numbers');
    expect(found.options).toEqual({ sink: 'numbers', every: '1m' });
    expect([...(found.call({ signal: new AbortController().signal, run: 1 }) as Iterable<unknown>)]).toEqual([
      { n: 10 },
    ]);
  });

  it('refuses a source on a request-scoped class', async () => {
    await expect(explore([PerRequest])).rejects.toThrow(ConfigurationError);
    await expect(explore([PerRequest])).rejects.toThrow(/put it on a singleton provider/);
  });

  it('refuses wrong options where the decorator is applied', () => {
    const decorate = (options: object) => () =>
      StreamSource(options as never)(Numbers.prototype, 'notASource', {
        value: Numbers.prototype.notASource,
      });
    expect(decorate({ sink: [] })).toThrow(/has no sink/);
    expect(decorate({ sink: { store: '' } })).toThrow(/invalid sink/);
    expect(decorate({ sink: 'x', every: '1 week' })).toThrow(/invalid `every` "1 week"/);
  });
});
