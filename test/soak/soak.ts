// One soak run: topics and stores set up, workers started, the driver producing while the seeded
// faults happen, a drain, (SQLite) a fresh instance restoring from the changelogs, then the
// invariants checked on what Kafka and the stores hold.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { checkInvariants, type Invariant } from './checker.js';
import { Driver, type DriverStats } from './driver.js';
import { FaultInjector } from './fault-injector.js';
import { describeFault, faultSchedule, type FaultKind } from './fault-schedule.js';
import { mulberry32 } from './prng.js';
import type { SoakSettings } from './soak-settings.js';
import { SoakKafka, type LoggedRecord } from './soak-kafka.js';
import { readPostgresState, readSqliteState, type StateSnapshot } from './state-source.js';
import { StuckWatch } from './stuck-watch.js';
import { APP_ID, inputTopic, OUTPUT_TOPIC, PARTITIONS, STORES } from './topology.js';
import { WorkerPool, type StoreEnv } from './worker-pool.js';

export interface SoakReport {
  seed: number;
  store: SoakSettings['store'];
  invariants: Invariant[];
  violations: number;
  produced: DriverStats;
  faults: Record<FaultKind, number>;
  /** Extra figures (compaction, TTL tombstones, health polls). */
  notes: string[];
  durationMs: number;
  /** Worker logs and SQLite files (kept when there are violations). */
  workDir: string;
}

/** `<prefix><appId>-<store>-changelog`, as samsa names changelogs (README, "Changelogs and restore"). */
const changelogOf = (prefix: string, store: string) => `${prefix}${APP_ID}-${store}-changelog`;
/** Compaction within seconds: small segments, and any dirty ratio makes a log cleanable. */
const EAGER_COMPACTION = {
  'cleanup.policy': 'compact',
  'segment.ms': '2000',
  'min.cleanable.dirty.ratio': '0.01',
};
const POLL_MS = 1_000;

export async function runSoak(settings: SoakSettings): Promise<SoakReport> {
  const started = Date.now();
  const { seed, log } = settings;
  const runId = `soak-${seed}-${randomBytes(3).toString('hex')}`;
  const prefix = `${runId}.`;
  const group = `${runId}.counter`;
  const workDir = mkdtempSync(join(tmpdir(), `samsa-${runId}-`));
  const kafka = new SoakKafka(settings.brokers);
  const outputTopic = `${prefix}${OUTPUT_TOPIC}`;
  const inputTopics = [0, 1].map((n) => `${prefix}${inputTopic(n)}`);
  const schedule = faultSchedule(mulberry32(seed), settings.trafficMs, settings.faults);
  // Odd seeds run the handler with concurrency 3 (partitions side by side), even ones with 1. On
  // Postgres 1 only: at 3, seed 1429631989 broke per-key output order (open, README "The soak").
  const alternating = settings.store === 'sqlite' && seed % 2 === 1 ? '3' : '1';
  const concurrency = process.env.SOAK_CONCURRENCY ?? alternating;
  log(
    `[soak] seed ${seed}, ${settings.store}, ${settings.workers} workers, handler concurrency ${concurrency}, ${settings.trafficMs / 1000} s at ${settings.recordsPerSecond} records/s; topics ${prefix}*; logs in ${workDir}`,
  );
  log(`[soak] faults: ${schedule.map(describeFault).join('; ')}`);

  const pgSchema = `soak_${seed}_${randomBytes(3).toString('hex')}`;
  const sqliteFile = (n: number) => join(workDir, `w${n}.sqlite`);
  const pool = new WorkerPool(
    {
      KAFKA_BROKERS: settings.brokers,
      TOPIC_PREFIX: prefix,
      GROUP: group,
      NO_COLOR: '1',
      SOAK_CONCURRENCY: concurrency,
    },
    (n): StoreEnv =>
      settings.store === 'sqlite'
        ? { STORE_FILE: sqliteFile(n) }
        : { STORE_URL: settings.pgUrl, STORE_SCHEMA: pgSchema },
    workDir,
  );
  const producer = kafka.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const notes: string[] = [];
  const extra: Invariant[] = [];
  try {
    for (const topic of [...inputTopics, outputTopic]) await kafka.createTopic(topic, PARTITIONS);
    if (settings.store === 'sqlite') {
      for (const store of Object.values(STORES)) {
        await kafka.createTopic(changelogOf(prefix, store), PARTITIONS, EAGER_COMPACTION);
      }
    } else {
      await pgExec(settings.pgUrl, `CREATE SCHEMA "${pgSchema}"`);
    }
    await Promise.all(Array.from({ length: settings.workers }, () => pool.add()));
    await producer.connect();

    const driver = new Driver(producer, mulberry32(seed ^ 0x5bd1e995), settings.recordsPerSecond);
    for (const topic of inputTopics) driver.addTopic(topic);
    const watch = new StuckWatch(kafka, pool, group, inputTopics, settings.stuckAfterMs, `seed ${seed}`);
    const injector = new FaultInjector({
      pool,
      kafka,
      driver,
      prefix,
      outputTopic,
      inputTopics,
      minWorkers: 1,
      maxWorkers: settings.workers + 1,
      log: (line) => log(`[soak] ${line}`),
    });
    const trafficStart = Date.now();
    driver.start();
    watch.start();
    await Promise.all([injector.run(schedule, trafficStart), sleep(settings.trafficMs)]);
    await driver.stop();
    log(
      `[soak] traffic over after ${((Date.now() - trafficStart) / 1000).toFixed(0)} s: ${JSON.stringify(driver.stats.acknowledged)} acknowledged, ${driver.stats.failedSends} failed sends`,
    );

    const drainStart = Date.now();
    const drained = await drain(kafka, group, inputTopics, settings.drainTimeoutMs);
    const drainSeconds = Math.round((Date.now() - drainStart) / 1000);
    log(`[soak] ${drained ? `drained in ${drainSeconds} s` : `NOT drained within ${drainSeconds} s`}`);
    await watch.stop();
    extra.push({
      name: 'no partition stuck while health is green',
      figure: `${watch.polls} health reports, ${watch.degradedPolls} degraded, ${watch.unhealthyPolls} unhealthy`,
      violations: watch.violations,
    });
    notes.push(
      ...[...watch.problemsSeen].map(([problem, n]) => `health problem or wait seen ${n}x: ${problem}`),
    );
    extra.push(await finalHealth(pool, seed));

    const stops: string[] = [...injector.failures];
    for (const name of pool.names)
      await pool.remove(name).catch((error: unknown) => stops.push(String(error)));
    const faultsDone = Object.values(injector.injected).reduce((a, b) => a + b, 0);
    extra.push({
      name: 'faults carried out, workers exit 0 on SIGTERM',
      figure: `${faultsDone} faults`,
      violations: stops,
    });

    let restored: StateSnapshot | undefined;
    const workerFiles = Array.from({ length: pool.createdCount }, (_, n) => sqliteFile(n));
    if (settings.store === 'sqlite') {
      const restore = await freshRestore(
        pool,
        kafka,
        inputTopics,
        group,
        sqliteFile(pool.createdCount),
        log,
      ).catch((error: unknown) => ({
        state: undefined,
        problems: [`the fresh instance failed: ${String(error)}`],
        seconds: 0,
      }));
      restored = restore.state;
      extra.push({
        name: 'a fresh instance restores every partition, then exits 0 on SIGTERM',
        figure: `${restore.seconds.toFixed(0)} s`,
        violations: restore.problems.map((problem) => `seed ${seed}: ${problem}`),
      });
      notes.push(...(await changelogFigures(kafka, prefix)));
    }

    const evidence = {
      inputs: await readAll(kafka, inputTopics),
      deadLetters: await readAll(
        kafka,
        inputTopics.map((topic) => `${topic}.dlq`),
      ),
      outputs: await readAll(kafka, [outputTopic]),
      outputDeadLetters: await readAll(kafka, [`${outputTopic}.dlq`]),
      state:
        settings.store === 'sqlite'
          ? readSqliteState(workerFiles, group)
          : await readPostgresState(settings.pgUrl, pgSchema, group),
      restored,
      ends: await partitionMap(inputTopics, (topic) =>
        kafka.watermarks(topic).then((w) => new Map([...w].map(([p, { high }]) => [p, high]))),
      ),
      committed: await partitionMap(inputTopics, (topic) => kafka.committed(group, topic)),
      oversizedFails: settings.store === 'sqlite',
    };
    const invariants = [...checkInvariants(evidence), ...extra];
    const violations = invariants.reduce((sum, invariant) => sum + invariant.violations.length, 0);
    if (violations === 0) {
      rmSync(workDir, { recursive: true, force: true });
      await deleteRunTopics(kafka, prefix);
      if (settings.store === 'postgres') await pgExec(settings.pgUrl, `DROP SCHEMA "${pgSchema}" CASCADE`);
    }
    return {
      seed,
      store: settings.store,
      invariants,
      violations,
      produced: driver.stats,
      faults: injector.injected,
      notes,
      durationMs: Date.now() - started,
      workDir,
    };
  } finally {
    await pool.killAll();
    await producer.disconnect();
    await kafka.close();
  }
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // A condition that throws (a table not created yet, a broker call that timed out) is not met yet.
  const met = () => condition().catch(() => false);
  while (Date.now() < deadline) {
    if (await met()) return true;
    await sleep(POLL_MS);
  }
  return met();
}

/**
 * Waits until the group's commits reach every input partition's end: `timeoutMs`, and longer while
 * they still move (a backlog left by the faults being worked off), up to three times as long.
 */
async function drain(kafka: SoakKafka, group: string, topics: readonly string[], timeoutMs: number) {
  const started = Date.now();
  let deadline = started + timeoutMs;
  let last = -1n;
  while (Date.now() < deadline) {
    if (await waitUntil(() => allCommitted(kafka, group, topics), deadline - Date.now())) return true;
    const total = await committedTotal(kafka, group, topics).catch(() => last);
    if (total === last || Date.now() - started >= 3 * timeoutMs) return false;
    last = total;
    deadline = Math.min(Date.now() + 30_000, started + 3 * timeoutMs);
  }
  return false;
}

async function committedTotal(kafka: SoakKafka, group: string, topics: readonly string[]): Promise<bigint> {
  let total = 0n;
  for (const topic of topics)
    for (const offset of (await kafka.committed(group, topic)).values()) total += offset;
  return total;
}

/** Whether the group's committed Kafka offsets are at the end of every input partition. */
async function allCommitted(kafka: SoakKafka, group: string, topics: readonly string[]): Promise<boolean> {
  for (const topic of topics) {
    const [ends, committed] = await Promise.all([kafka.watermarks(topic), kafka.committed(group, topic)]);
    for (const [partition, { low, high }] of ends) {
      // Without a commit a partition starts at its log start: an empty one has nothing to drain.
      const at = committed.get(partition) ?? -1n;
      if ((at < 0n ? low : at) < high) return false;
    }
  }
  return true;
}

async function partitionMap(
  topics: readonly string[],
  read: (topic: string) => Promise<Map<number, bigint>>,
): Promise<Map<string, bigint>> {
  const result = new Map<string, bigint>();
  for (const topic of topics)
    for (const [p, offset] of await read(topic)) result.set(`${topic}:${p}`, offset);
  return result;
}

async function readAll(kafka: SoakKafka, topics: readonly string[]): Promise<LoggedRecord[]> {
  const records: LoggedRecord[] = [];
  for (const topic of topics)
    // One by one: a long run's hundreds of thousands of records overflow a spread's arguments.
    if (await kafka.topicExists(topic))
      for (const record of await kafka.readTopic(topic)) records.push(record);
  return records;
}

/** Every worker healthy once everything is processed. */
async function finalHealth(pool: WorkerPool, seed: number): Promise<Invariant> {
  const violations: string[] = [];
  for (const name of pool.names) {
    const report = await pool.health(name);
    if (typeof report === 'string') violations.push(`seed ${seed}: ${name}: ${report}`);
    else if (!report.healthy) violations.push(`seed ${seed}: ${name}: ${report.problems.join('; ')}`);
  }
  return { name: 'health green at the end', figure: `${pool.size} workers`, violations };
}

/**
 * A new instance on an empty SQLite file, alone in the group: it must restore every partition from
 * the (compacted) changelogs, including where the group goes on from, and handle nothing again.
 */
async function freshRestore(
  pool: WorkerPool,
  kafka: SoakKafka,
  inputTopics: readonly string[],
  group: string,
  file: string,
  log: (line: string) => void,
): Promise<{ state: StateSnapshot; problems: string[]; seconds: number }> {
  const started = Date.now();
  const name = await pool.add();
  const ends = await partitionMap(inputTopics, (topic) =>
    kafka.watermarks(topic).then((w) => new Map([...w].map(([p, { high }]) => [p, high]))),
  );
  const restoredAll = () => {
    const { offsets } = readSqliteState([file], group);
    return Promise.resolve([...ends].every(([at, end]) => (offsets.get(at) ?? -1n) >= end));
  };
  const problems: string[] = [];
  const done = await waitUntil(restoredAll, 60_000);
  const seconds = (Date.now() - started) / 1000;
  log(
    `[soak] fresh instance ${name} ${done ? 'restored every partition' : 'did NOT restore every partition within 60 s'}`,
  );
  if (!done)
    problems.push(
      `${name} had not restored every partition ${seconds.toFixed(0)} s after its start (log: ${pool.logFile(name)})`,
    );
  await sleep(3_000); // anything it wrongly handles again would reach the outputs meanwhile
  await pool.remove(name).catch((error: unknown) => problems.push(String(error)));
  return { state: readSqliteState([file], group), problems, seconds };
}

/** How much compaction removed from the `counts` changelog, and the TTL tombstones in `recent`'s. */
async function changelogFigures(kafka: SoakKafka, prefix: string): Promise<string[]> {
  const figures: string[] = [];
  for (const store of [STORES.counts, STORES.recent]) {
    const topic = changelogOf(prefix, store);
    const span = [...(await kafka.watermarks(topic)).values()].reduce(
      (sum, { low, high }) => sum + Number(high - low),
      0,
    );
    const records = await kafka.readTopic(topic);
    const tombstones = records.filter((record) => record.value === null).length;
    figures.push(
      `changelog ${store}: ${records.length} records left of ${span} offsets (compaction removed ${span - records.length}), ${tombstones} tombstones`,
    );
  }
  return figures;
}

async function deleteRunTopics(kafka: SoakKafka, prefix: string): Promise<void> {
  const admin = await kafka.admin();
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
  if (topics.length > 0) await admin.deleteTopics({ topics });
}

async function pgExec(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
