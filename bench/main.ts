// Runs the cases of cases.ts against a broker, then prints and saves the results. Started by
// run.mjs, which compiles this folder and provides the broker.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { CASES, PARTITIONS, SIZES, TOPICS, type Sizes } from './cases.js';
import { casesTable, ratios, ratiosTable, summarize, type Summary } from './report.js';
import type { CaseParams } from './support/case.js';
import { runChild } from './support/child.js';
import { deleteTopics } from './support/kafka.js';
import { summarizeProfile } from './support/profile.js';

export interface BenchOptions {
  brokers: string;
  /** Kafka version of the local broker; undefined when KAFKA_BROKERS was used. */
  kafkaVersion?: string;
  quick: boolean;
  reps: number;
  /** Only the cases whose names contain one of these. */
  only?: string[];
  profile: boolean;
  verbose: boolean;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** bench/ itself (this file runs from bench/dist/). */
const BENCH_DIR = here('../');

const cpuModel = () => os.cpus()[0]?.model ?? 'unknown';

export async function main(options: BenchOptions): Promise<number> {
  const mode = options.quick ? 'quick' : 'full';
  const sizes: Sizes = SIZES[mode];
  const prefix = `bench-${randomBytes(3).toString('hex')}.`;
  const timeoutMs = options.quick ? 60_000 : 300_000;
  const base = (name: string): CaseParams => ({
    case: name,
    brokers: options.brokers,
    prefix,
    reps: options.reps,
    messages: 0,
    messageBytes: 0,
    timeoutMs,
  });
  // Profiles go to bench/dist/profiles (git-ignored), one per case, overwritten each run.
  const profileDir = options.profile ? here('./profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const childOptions = { profileDir, verbose: options.verbose };
  const selected = CASES.filter(
    ({ name }) => !options.only || options.only.some((part) => name.includes(part)),
  );
  const started = performance.now();
  console.log(
    `samsa bench, ${mode}: ${selected.length} cases × ${options.reps} repetitions on ${options.brokers}`,
  );

  const preload = await runChild(
    here('./cases/preload.js'),
    {
      ...base('preload'),
      reps: 1,
      partitions: PARTITIONS,
      topics: {
        [prefix + TOPICS.json1k]: [sizes.messages, 1024],
        [prefix + TOPICS.json100]: [Math.max(sizes.messages, sizes.raw100b), 100],
      },
      keyed: { topic: prefix + TOPICS.keys, keys: sizes.restoreKeys, bytes: 100 },
    } as CaseParams,
    childOptions,
  );
  if (preload.status !== 'done') {
    console.error(
      `Preloading the topics failed: ${preload.status === 'failed' ? preload.error : preload.reason}`,
    );
    return 1;
  }
  console.log(
    `preloaded ${preload.reps[0].messages.toLocaleString('en-US')} messages in ${preload.reps[0].seconds.toFixed(1)} s`,
  );

  const done = new Map<string, Summary>();
  for (const spec of selected) {
    const caseStarted = performance.now();
    const params = { ...base(spec.name), ...spec.params(sizes, done) } as CaseParams;
    const summary = summarize(
      spec.name,
      spec.what,
      await runChild(here(`./cases/${spec.file}`), params, childOptions),
    );
    done.set(spec.name, summary);
    const seconds = ((performance.now() - caseStarted) / 1000).toFixed(1);
    const result = summary.median
      ? `${Math.round(summary.median.msgsPerSec).toLocaleString('en-US')} msgs/s`
      : `${summary.status}: ${summary.reason?.split('\n')[0]}`;
    console.log(`  ${spec.name.padEnd(22)} ${result} (${seconds} s)`);
    if (summary.status === 'failed') console.error(summary.reason);
    const profile = `${profileDir}/${spec.name}.cpuprofile`;
    if (profileDir && existsSync(profile)) console.log(`\n${summarizeProfile(profile, 15)}\n`);
  }
  await deleteTopics(options.brokers, prefix).catch((error: unknown) =>
    console.warn(`Topics not deleted: ${String(error)}`),
  );

  const list = ratios(done);
  const results = {
    date: new Date().toISOString(),
    mode,
    sizes,
    repetitions: options.reps,
    seconds: (performance.now() - started) / 1000,
    machine: {
      nproc: os.availableParallelism(),
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      cpu: cpuModel(),
      node: process.version,
      kafka: options.kafkaVersion ?? `external (${options.brokers})`,
    },
    cases: Object.fromEntries(done),
    ratios: list,
  };
  const files = ['latest.json'];
  // A complete full run is also kept under its date, for comparison with later ones.
  if (!options.quick && !options.only && options.reps >= 3)
    files.push(`full-${results.date.slice(0, 10)}.json`);
  mkdirSync(`${BENCH_DIR}results`, { recursive: true });
  for (const file of files)
    writeFileSync(`${BENCH_DIR}results/${file}`, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${casesTable([...done.values()])}\n\n${ratiosTable(list)}\n`);
  console.log(`${results.seconds.toFixed(0)} s in all; results in bench/results/${files.join(' and ')}`);
  return [...done.values()].some((summary) => summary.status === 'failed') ? 1 : 0;
}
