import { DEFAULTS } from '../defaults.js';
import { applyEnvironmentOverrides } from './environment-overrides.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import type {
  StoreConnectionOptions,
  StreamStoreModuleOptions,
} from '../interfaces/stream-store-options.interface.js';

/** Options with every default applied; what the rest of samsa reads. */
export interface ResolvedStreamStoreOptions extends Readonly<
  Omit<StreamStoreModuleOptions, 'brokers' | 'store'>
> {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly appId: string;
  readonly topicPrefix: string;
  readonly store: StoreConnectionOptions;
  readonly subscriptionRefreshMs: number;
  readonly shutdownTimeoutMs: number;
  readonly registerSchemas: boolean;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]*$/;

/** Checks the options at startup and fills in defaults; the caller's object is copied, never changed. */
export function resolveOptions(given: StreamStoreModuleOptions): ResolvedStreamStoreOptions {
  const options = applyEnvironmentOverrides(given ?? ({} as StreamStoreModuleOptions));
  if (options.brokers === undefined) {
    throw new ConfigurationError(
      'StreamStoreModule: `brokers` is required, e.g. forRoot({ brokers: ["localhost:9092"] }).',
    );
  }
  const brokers = (Array.isArray(options.brokers) ? options.brokers : options.brokers.split(','))
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (brokers.length === 0) {
    throw new ConfigurationError('StreamStoreModule: `brokers` is empty; give at least one "host:port".');
  }
  for (const broker of brokers) {
    if (!/^[^:\s]+:\d+$/.test(broker)) {
      throw new ConfigurationError(`StreamStoreModule: broker "${broker}" is not "host:port".`);
    }
  }
  const topicPrefix = options.topicPrefix ?? DEFAULTS.topicPrefix;
  if (!TOPIC_NAME.test(topicPrefix)) {
    throw new ConfigurationError(
      `StreamStoreModule: topicPrefix "${topicPrefix}" may only hold letters, digits, ".", "_" and "-".`,
    );
  }
  if (options.advertisedUrl !== undefined && !URL.canParse(options.advertisedUrl)) {
    throw new ConfigurationError(
      `StreamStoreModule: advertisedUrl ${JSON.stringify(options.advertisedUrl)} is not a URL; give ` +
        'this instance\'s address as other instances reach it, e.g. "http://10.0.0.7:3000".',
    );
  }
  const clientId = options.clientId ?? DEFAULTS.clientId;
  const subscriptionRefreshMs = positive(
    'subscriptionRefreshMs',
    options.subscriptionRefreshMs ?? DEFAULTS.subscriptionRefreshMs,
  );
  const shutdownTimeoutMs = positive(
    'shutdownTimeoutMs',
    options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs,
  );
  return Object.freeze({
    ...options,
    brokers: Object.freeze(brokers),
    clientId,
    appId: options.appId ?? clientId,
    topicPrefix,
    store: options.store ?? { type: 'sqlite' as const, database: DEFAULTS.sqliteDatabase },
    subscriptionRefreshMs,
    shutdownTimeoutMs,
    registerSchemas: options.registerSchemas ?? true,
  });
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(
      `StreamStoreModule: \`${name}\` must be a positive number of milliseconds, got ${value}.`,
    );
  }
  return value;
}
