import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { StreamContext } from '../transport/stream-context.js';

/** Injects the consumed record: topic, partition, offset, key, value, headers, timestamp. */
export const StreamRecord = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const streamContext = context.switchToRpc().getContext();
  return streamContext instanceof StreamContext ? streamContext.record : undefined;
});
