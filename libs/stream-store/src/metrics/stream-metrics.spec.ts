import { describe, expect, it } from 'vitest';
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
