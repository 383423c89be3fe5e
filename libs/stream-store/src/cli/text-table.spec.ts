import { describe, expect, it } from 'vitest';
import { formatTable } from './text-table.js';

describe('formatTable', () => {
  it('pads columns to their widest cell and right-aligns integer columns', () => {
    expect(
      formatTable(
        ['TOPIC', 'PARTITION', 'LAG'],
        [
          ['dev.orders', '0', '7'],
          ['dev.payments.dlq', '12', '1234'],
        ],
      ),
    ).toBe(
      'TOPIC             PARTITION   LAG\n' +
        'dev.orders                0     7\n' +
        'dev.payments.dlq         12  1234\n',
    );
  });

  it('indents, and leaves no trailing spaces', () => {
    expect(formatTable(['A', 'LONG HEADER'], [['x', '']], '  ')).toBe('  A  LONG HEADER\n  x\n');
  });
});
