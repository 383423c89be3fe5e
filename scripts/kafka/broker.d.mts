// Types for broker.mjs, so TypeScript (allowJs: false) can import it from test/global-setup.ts.
export interface KafkaOptions {
  /** Broker jars; default: resolveKafkaLibs(). */
  libsDir?: string;
  /** How long to wait for the broker to answer (default 60 s). */
  timeoutMs?: number;
  /** Extra or overriding server.properties entries. */
  props?: Record<string, string | number | boolean>;
  /** Keep the temp dir (data + server.log) after stop(), for debugging. */
  keepLogDir?: boolean;
  /**
   * Run the JVM in its own process group, so the terminal's Ctrl-C does not reach it and the
   * caller stops it when it is done (the demo: after its app drained). Default false.
   */
  detached?: boolean;
}

export interface RunningKafka {
  /** `127.0.0.1:<port>` */
  brokers: string;
  /** The broker's log (log4j and JVM stdout/stderr). */
  logFile: string;
  /** The broker's data dir (Kafka `log.dirs`). */
  logDir: string;
  /** Ends the broker and deletes its data (unless keepLogDir). */
  stop(): Promise<void>;
  /** Stops the broker process, keeping its port, data and cluster id, e.g. to test an outage. */
  pause(): Promise<void>;
  /** Starts the paused broker again on the same port and data, and waits until it answers. */
  resume(): Promise<void>;
}

export interface EnsuredKafka {
  brokers: string;
  stop(): Promise<void>;
  /** true when KAFKA_BROKERS was used and nothing was started. */
  external: boolean;
  logFile?: string;
  logDir?: string;
}

export function kafkaVersion(): string;
/** Does a broker answer at `host:port` (within about a second)? */
export function isUp(brokers: string): Promise<boolean>;
export function cacheDir(): string;
export function findJava(): Promise<string>;
export function resolveKafkaLibs(): Promise<string>;
export function startKafka(opts?: KafkaOptions): Promise<RunningKafka>;
export function ensureKafka(opts?: KafkaOptions): Promise<EnsuredKafka>;
