// A real single-node Kafka (KRaft, broker+controller in one JVM) for tests and local runs.
// Plain ESM with node built-ins only, so it runs without a build. The jars come from Maven
// Central (pom.xml next to this file) into a cache outside the checkout, shared by all clones.
import { spawn } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, connect } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const POM = fileURLToPath(new URL('./pom.xml', import.meta.url));
const HOW_ELSE = 'or set KAFKA_BROKERS=host:port, or run `docker compose up -d`';

/** @returns {string} the Kafka version pinned in pom.xml */
export function kafkaVersion() {
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(fs.readFileSync(POM, 'utf8'));
  if (!m) throw new Error(`No <kafka.version> in ${POM}`);
  return m[1];
}

/** @returns {string} `${SAMSA_CACHE_DIR:-~/.cache/samsa}` */
export function cacheDir() {
  return process.env.SAMSA_CACHE_DIR || path.join(os.homedir(), '.cache', 'samsa');
}

/**
 * Runs a command, collecting stdout+stderr.
 * @param {string} cmd @param {string[]} args
 * @returns {Promise<{ code: number | null, output: string, missing: boolean }>}
 */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) =>
      resolve({ code: null, output: String(err), missing: /ENOENT/.test(String(err)) }),
    );
    child.on('close', (code) => resolve({ code, output, missing: false }));
  });
}

/** @param {string} text @param {number} n */
const tail = (text, n) => text.trimEnd().split('\n').slice(-n).join('\n');

/** @type {Promise<string> | undefined} */
let javaCheck;
/**
 * Finds a Java 17+ binary ($JAVA_HOME/bin/java, else `java` on PATH).
 * @returns {Promise<string>}
 */
export function findJava() {
  javaCheck ??= (async () => {
    const home = process.env.JAVA_HOME && path.join(process.env.JAVA_HOME, 'bin', 'java');
    const java = home && fs.existsSync(home) ? home : 'java';
    const { output } = await run(java, ['-version']);
    // `openjdk version "17.0.15"` / `java version "1.8.0_392"`
    const m = /version "(\d+)(?:\.(\d+))?/.exec(output);
    const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : 0;
    if (major < 17) {
      const found = m ? `found Java ${major}` : `no working \`${java}\``;
      throw new Error(`Java 17+ is needed to start a local Kafka broker (${found}), ${HOW_ELSE}.`);
    }
    return java;
  })();
  return javaCheck;
}

/**
 * Makes sure the broker jars are in `<cacheDir>/kafka-<version>/libs`, running Maven only when
 * they are missing or pom.xml changed since (a marker file holds the pom's hash).
 * @returns {Promise<string>} the libs directory
 */
export async function resolveKafkaLibs() {
  const home = path.join(cacheDir(), `kafka-${kafkaVersion()}`);
  const libs = path.join(home, 'libs');
  const marker = path.join(home, '.complete');
  const pomHash = createHash('sha256').update(fs.readFileSync(POM)).digest('hex');
  if (fs.existsSync(libs) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === pomHash)
    return libs;

  await findJava();
  console.error(`Downloading Kafka ${kafkaVersion()} jars with Maven into ${libs} (only once) ...`);
  // Download into a private dir and rename, so concurrent runs never see half a directory.
  const tmp = `${libs}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const mvnArgs = ['-q', '-B', '-Dstyle.color=never', '-f', POM, 'dependency:copy-dependencies'];
  const { code, output, missing } = await run('mvn', [...mvnArgs, `-DoutputDirectory=${tmp}`]);
  if (missing) {
    throw new Error(
      `Maven (mvn) is needed once to download the Kafka broker jars into ${libs}: install it, ${HOW_ELSE}.`,
    );
  }
  if (code !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(
      `Maven could not resolve the Kafka broker jars (mvn ${mvnArgs.join(' ')} exited ${code}); ` +
        `check network access to Maven Central, ${HOW_ELSE}.\n--- mvn output (tail) ---\n${tail(output, 40)}`,
    );
  }
  fs.rmSync(libs, { recursive: true, force: true });
  fs.renameSync(tmp, libs);
  fs.writeFileSync(marker, pomHash);
  return libs;
}

/** @returns {Promise<number>} a port that was free on 127.0.0.1 a moment ago */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** @param {Record<string, string | number | boolean>} props */
const toProperties = (props) =>
  Object.entries(props)
    .map(([k, v]) => `${k}=${String(v).replace(/\\/g, '\\\\')}`)
    .join('\n') + '\n';

/**
 * Is the broker answering? Uses kafkajs (installed at the repo root) when available, else a raw
 * ApiVersions request (KRaft brokers only open their listener once they are ready to serve).
 * @param {string} brokers
 * @returns {Promise<boolean>}
 */
export async function isUp(brokers) {
  /** @type {any} */
  let kafkajs;
  try {
    kafkajs = await import('kafkajs');
  } catch {
    kafkajs = undefined;
  }
  if (!kafkajs) return apiVersionsOk(brokers);
  const { Kafka, logLevel } = kafkajs;
  const kafka = new Kafka({
    clientId: 'samsa-harness',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers: found } = await admin.describeCluster();
    return found.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** @param {string} brokers @returns {Promise<boolean>} */
function apiVersionsOk(brokers) {
  const [host, port] = brokers.split(':');
  return new Promise((resolve) => {
    const clientId = Buffer.from('samsa-harness');
    // size | api_key=18 (ApiVersions) | api_version=0 | correlation_id | client_id
    const req = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
    req.writeInt32BE(req.length - 4, 0);
    req.writeInt16BE(18, 4);
    req.writeInt16BE(0, 6);
    req.writeInt32BE(7, 8);
    req.writeInt16BE(clientId.length, 12);
    clientId.copy(req, 14);
    const sock = connect(Number(port), host, () => sock.write(req));
    let got = Buffer.alloc(0);
    const done = (/** @type {boolean} */ ok) => (sock.destroy(), resolve(ok));
    sock.setTimeout(1000, () => done(false));
    sock.on('error', () => done(false));
    // response: size | correlation_id | error_code
    sock.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 10) done(got.readInt32BE(4) === 7 && got.readInt16BE(8) === 0);
    });
  });
}

/**
 * @typedef {object} KafkaOptions
 * @property {string} [libsDir] broker jars; default: resolveKafkaLibs()
 * @property {number} [timeoutMs] how long to wait for the broker to answer (default 60 s)
 * @property {Record<string, string | number | boolean>} [props] extra/overriding server.properties
 * @property {boolean} [keepLogDir] keep the temp dir (data + server.log) after stop(), for debugging
 * @property {boolean} [detached] run the JVM in its own process group, so the terminal's Ctrl-C
 *   does not reach it and the caller stops it when it is done (the demo: after its app drained)
 */
/**
 * @typedef {object} RunningKafka
 * @property {string} brokers `127.0.0.1:<port>`
 * @property {string} logFile the broker's log (log4j + JVM stdout/stderr)
 * @property {string} logDir the broker's data dir (Kafka `log.dirs`)
 * @property {() => Promise<void>} stop ends the broker and deletes its data
 * @property {() => Promise<void>} pause stops the broker process, keeping its port and data
 * @property {() => Promise<void>} resume starts the paused broker again and waits until it answers
 */

/**
 * Starts a fresh single-node KRaft broker on free loopback ports, with its data in a temp dir.
 * @param {KafkaOptions} [opts]
 * @returns {Promise<RunningKafka>}
 */
export async function startKafka(opts = {}) {
  const java = await findJava();
  const libs = opts.libsDir ?? (await resolveKafkaLibs());
  const [port, controllerPort] = [await freePort(), await freePort()];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-kafka-'));
  const logDir = path.join(root, 'data');
  const logFile = path.join(root, 'server.log');
  const serverProps = path.join(root, 'server.properties');
  const log4jProps = path.join(root, 'log4j.properties');
  const brokers = `127.0.0.1:${port}`;

  fs.writeFileSync(
    serverProps,
    toProperties({
      'node.id': 1,
      'process.roles': 'broker,controller',
      'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
      listeners: `PLAINTEXT://${brokers},CONTROLLER://127.0.0.1:${controllerPort}`,
      'advertised.listeners': `PLAINTEXT://${brokers}`,
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'log.dirs': logDir,
      // Single node: every internal topic has exactly one replica.
      'offsets.topic.replication.factor': 1,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'default.replication.factor': 1,
      'min.insync.replicas': 1,
      'num.partitions': 1,
      'auto.create.topics.enable': true,
      // Fast tests: few partitions for internal topics, no join delay, short session floor.
      'offsets.topic.num.partitions': 1,
      'transaction.state.log.num.partitions': 1,
      'group.initial.rebalance.delay.ms': 0,
      'group.min.session.timeout.ms': 1000,
      'broker.heartbeat.interval.ms': 500,
      // Compaction that actually happens while a test waits for it.
      'log.cleaner.enable': true,
      'log.cleaner.threads': 1,
      'log.cleaner.backoff.ms': 500,
      'log.cleaner.dedupe.buffer.size': 8 * 1024 * 1024,
      'log.cleaner.min.compaction.lag.ms': 0,
      'log.segment.bytes': 1024 * 1024,
      'log.index.size.max.bytes': 1024 * 1024,
      'log.retention.check.interval.ms': 5000,
      // Two cores: keep the thread count small.
      'num.network.threads': 2,
      'num.io.threads': 2,
      'background.threads': 2,
      'num.recovery.threads.per.data.dir': 1,
      ...opts.props,
    }),
  );
  fs.writeFileSync(
    log4jProps,
    toProperties({
      'log4j.rootLogger': 'INFO, file',
      'log4j.appender.file': 'org.apache.log4j.FileAppender',
      'log4j.appender.file.File': logFile,
      'log4j.appender.file.layout': 'org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern': '[%d] %p %m (%c)%n',
      'log4j.logger.org.apache.kafka.clients': 'WARN',
      'log4j.logger.state.change.logger': 'WARN',
    }),
  );

  // Small heap, serial GC and C1 only: starts fast and stays light on a 2-core machine.
  const jvm = [
    '-Xms256m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4jProps}`,
    `-Dkafka.logs.dir=${root}`,
    '-cp',
    path.join(libs, '*'),
  ];

  const clusterId = randomBytes(16).toString('base64url'); // Kafka's Uuid text form
  // `--cluster-id=<id>`: an id may start with "-", which a separate argument would make look like a flag.
  const format = await run(java, [
    ...jvm,
    'kafka.tools.StorageTool',
    'format',
    `--cluster-id=${clusterId}`,
    '-c',
    serverProps,
  ]);
  if (format.code !== 0) {
    fs.rmSync(root, { recursive: true, force: true });
    throw new Error(`Formatting the Kafka storage failed (exit ${format.code}):\n${tail(format.output, 50)}`);
  }

  /**
   * One run of the broker JVM on the formatted storage. stop()/start() of the same broker (pause()
   * and resume()) launch it again: same ports, same data, same cluster id.
   */
  const launch = () => {
    // JVM stdout/stderr go to the same file as log4j (both append), so crashes before log4j are kept.
    const out = fs.openSync(logFile, 'a');
    const child = spawn(java, [...jvm, 'kafka.Kafka', serverProps], {
      stdio: ['ignore', out, out],
      detached: opts.detached ?? false,
    });
    fs.closeSync(out);
    const run = { child, alive: true, /** @type {Promise<void>} */ exited: Promise.resolve() };
    run.exited = new Promise((resolve) => {
      const gone = () => {
        run.alive = false;
        resolve();
      };
      child.once('exit', gone).once('error', gone);
    });
    return run;
  };
  let current = launch();

  // Never leave a broker (or its data) behind when the parent process goes away.
  const killOnExit = () => {
    current.child.kill('SIGKILL');
    if (opts.keepLogDir) return;
    try {
      fs.rmSync(root, { recursive: true, force: true });
    } catch {
      // the dying JVM may still be writing; os.tmpdir() gets cleaned eventually
    }
  };
  process.on('exit', killOnExit);

  const logTail = () => (fs.existsSync(logFile) ? tail(fs.readFileSync(logFile, 'utf8'), 50) : '(no log)');

  /** Ends the JVM: SIGTERM (a clean shutdown), SIGKILL after 10 s. */
  const halt = async () => {
    if (!current.alive) return;
    current.child.kill('SIGTERM');
    const gone = await Promise.race([current.exited.then(() => true), sleep(10_000, false, { ref: false })]);
    if (!gone) {
      current.child.kill('SIGKILL');
      await current.exited;
    }
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await halt();
    process.off('exit', killOnExit);
    if (!opts.keepLogDir) fs.rmSync(root, { recursive: true, force: true });
  };

  const waitUntilUp = async () => {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    while (!(await isUp(brokers))) {
      if (!current.alive || Date.now() > deadline) {
        const why = current.alive ? `did not answer within ${(opts.timeoutMs ?? 60_000) / 1000} s` : 'exited';
        const log = logTail();
        await stop();
        throw new Error(`The local Kafka broker ${why}. Last lines of ${logFile}:\n${log}`);
      }
      await sleep(250);
    }
  };

  /** Stops the broker process, keeping its ports and data, e.g. to test an outage. */
  const pause = async () => {
    if (stopped) throw new Error('This broker was stopped for good; start a new one');
    await halt();
  };

  /** Starts the paused broker again (same port, data and cluster id) and waits until it answers. */
  const resume = async () => {
    if (stopped) throw new Error('This broker was stopped for good; start a new one');
    if (current.alive) return;
    current = launch();
    await waitUntilUp();
  };

  await waitUntilUp();
  return { brokers, logFile, logDir, stop, pause, resume };
}

/**
 * Uses KAFKA_BROKERS when set (nothing is started then), else starts a local broker.
 * @param {KafkaOptions} [opts]
 * @returns {Promise<{ brokers: string, stop: () => Promise<void>, external: boolean, logFile?: string, logDir?: string }>}
 */
export async function ensureKafka(opts = {}) {
  const external = process.env.KAFKA_BROKERS;
  if (external) return { brokers: external, stop: async () => {}, external: true };
  await findJava();
  const libsDir = opts.libsDir ?? (await resolveKafkaLibs());
  return { ...(await startKafka({ ...opts, libsDir })), external: false };
}
