// Public API of the AsyncAPI generator (re-exported by the lib's index.ts).
export { generateAsyncApi } from './generate-asyncapi.js';
export { describeStreamModule, type DescribeStreamModuleOptions } from './describe-stream-module.js';
export { StreamHandlerCollector } from './stream-handler-collector.js';
export type { AsyncApiOptions, AsyncApiSource } from './asyncapi-options.interface.js';
export type * from './asyncapi-document.interface.js';
