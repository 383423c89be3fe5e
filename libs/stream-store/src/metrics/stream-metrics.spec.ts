import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MissingPromClientError } from '../errors/missing-prom-client.error.js';
import { StreamStoreError } from '../errors/stream-store.error.js';
import { STREAM_METRICS_REGISTRY } from './metrics.tokens.js';
import { requirePromClient } from './prom-client.js';
import { StreamMetrics } from './stream-metrics.js';

describe('StreamMetrics', () => {
  it('counts consumed records per handler, topic and result, added up until the registry is read', async () => {
    const metrics = new StreamMetrics();
    metrics.record('counter', 'orders', 'ok', 1.5);
    metrics.record('counter', 'orders', 'ok', 2, 3);
    metrics.record('counter', 'orders', 'dead-lettered', 0);
    metrics.record('audit', 'orders', 'ok', 1);

    const text = await metrics.registry.metrics();
    expect(text).toContain('samsa_consumed_messages_total{topic="orders",handler="counter",result="ok"} 4');
    expect(text).toContain(
      'samsa_consumed_messages_total{topic="orders",handler="counter",result="dead-lettered"} 1',
    );
    expect(text).toContain('samsa_consumed_messages_total{topic="orders",handler="audit",result="ok"} 1');
    expect(text).toContain('samsa_handler_duration_seconds_count{handler="counter"} 2');

    // Read again: nothing counted twice; new records add to the totals.
    metrics.record('counter', 'orders', 'ok', 1);
    const again = await metrics.registry.metrics();
    expect(again).toContain('samsa_consumed_messages_total{topic="orders",handler="counter",result="ok"} 5');
    expect(again).toContain('samsa_consumed_messages_total{topic="orders",handler="audit",result="ok"} 1');
  });
});

describe('StreamMetrics in Nest', () => {
  it('loads prom-client itself, and collects into a registry provided as STREAM_METRICS_REGISTRY', async () => {
    const registry = new Registry();
    const moduleRef = await Test.createTestingModule({
      providers: [StreamMetrics, { provide: STREAM_METRICS_REGISTRY, useValue: registry }],
    }).compile();
    const metrics = moduleRef.get(StreamMetrics);
    expect(metrics.registry).toBe(registry);
    metrics.published('orders', 2);
    expect(await registry.metrics()).toContain('samsa_published_messages_total{topic="orders"} 2');

    const own = (await Test.createTestingModule({ providers: [StreamMetrics] }).compile()).get(StreamMetrics);
    expect(own.registry).toBeInstanceOf(Registry);
    expect(own.registry).not.toBe(registry);
  });
});

describe('StreamMetrics without prom-client', () => {
  const missing = () =>
    requirePromClient(() => {
      throw Object.assign(new Error("Cannot find module 'prom-client'"), { code: 'MODULE_NOT_FOUND' });
    });

  it('observes as a no-op, and says what to install when its registry is read', () => {
    const metrics = new StreamMetrics(undefined, missing());
    metrics.setLagSource(() => Promise.resolve([]));
    metrics.watchOutbox(() => ({ pending: 1, oldestAgeMs: 5 }));
    expect(() => {
      metrics.record('counter', 'orders', 'ok', 1.5);
      metrics.record('counter', 'orders', 'dead-lettered', 0, 3);
      metrics.batch('counter', 10);
      metrics.flush('counter', 2);
      metrics.commit('counter', 3);
      metrics.rebalance('counter', 'group');
      metrics.published('orders', 1);
      metrics.outputsDeadLettered('orders', 1);
      metrics.sourceItems('words', 'topic words', 5);
      metrics.restore('counts', 0, 7);
    }).not.toThrow();

    let thrown: unknown;
    try {
      void metrics.registry;
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MissingPromClientError);
    expect(thrown).toBeInstanceOf(StreamStoreError);
    expect(thrown).toMatchObject({
      message:
        'StreamMetrics.registry needs the package prom-client, an optional peer dependency of @samsa/stream-store: npm install prom-client',
      packageName: 'prom-client',
      retriable: false,
    });
  });

  it('fails at construction when a registry is provided as STREAM_METRICS_REGISTRY', () => {
    expect(() => new StreamMetrics(new Registry(), missing())).toThrow(
      new MissingPromClientError('The metrics registry provided as STREAM_METRICS_REGISTRY'),
    );
    expect(() => new StreamMetrics(new Registry(), missing())).toThrow(
      'The metrics registry provided as STREAM_METRICS_REGISTRY needs the package prom-client, an optional peer dependency of @samsa/stream-store: npm install prom-client',
    );
  });
});
