export { StreamSource } from './stream-source.decorator.js';
export type { SourceRunContext, SourceSink, StreamSourceOptions } from './stream-source-options.interface.js';
export type { SourceStatus } from './source-status.interface.js';
export { StreamSources } from './stream-sources.js';
export { SourceItemError } from './source-item.error.js';
export { SourceNotIterableError } from './source-not-iterable.error.js';
