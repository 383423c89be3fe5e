/** Transport id of samsa's strategy: handlers declared for other transports are never picked up. */
export const STREAM_STORE_TRANSPORT = Symbol.for('samsa:stream-store-transport');

export const STREAM_STORE_OPTIONS = Symbol.for('samsa:stream-store-options');
export const STREAM_KAFKA_CLIENT = Symbol.for('samsa:kafka-client');
export const STREAM_DATA_SOURCE = Symbol.for('samsa:data-source');
export const STREAM_SCHEMA_REGISTRY = Symbol.for('samsa:schema-registry');
export const STREAM_STORE_FEATURES = Symbol.for('samsa:store-features');

/** Metadata keys, namespaced so they never collide with Nest's or another library's. */
export const STREAM_HANDLER_METADATA = 'samsa:stream_handler';

/** Suffix of dead-letter topics; samsa's own topics never match a user's glob. */
export const DEAD_LETTER_SUFFIX = '.dlq';
export const SCHEMA_TOPIC_PREFIX = '__schema__';
export const CHANGELOG_SUFFIX = '-changelog';
