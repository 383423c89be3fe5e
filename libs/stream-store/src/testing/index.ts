// Testing helpers: run your handlers against in-process topics (import from '@samsa/stream-store/testing').
export {
  createStreamTestApp,
  startStreamTestApp,
  type StreamTestApp,
  type StreamTestAppOptions,
  type SendOptions,
} from './stream-test-app.js';
export { InMemoryKafka } from './in-memory-kafka.js';
