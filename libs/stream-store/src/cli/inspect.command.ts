import { Command } from 'commander';
import { CliFailureError } from './cli-failure.error.js';
import { CliUsageError } from './cli-usage.error.js';
import { formatInspectReport } from './inspect-format.js';
import { readInspectReport } from './inspect-report.js';
import { openCliContext } from './open-cli-context.js';
import { applyKafkaFlags, brokersFrom, type KafkaFlags } from './kafka-flags.js';
import { ProgressReporter, progressMode } from './progress-reporter.js';
import { redactUrl } from './store-sizes.js';

interface InspectFlags extends KafkaFlags {
  topics: string;
  group: string;
  schemas: boolean;
  store?: string;
  storeSchema?: string;
  json?: boolean;
  /** `undefined` unless `--progress` or `--no-progress` was given. */
  progress?: boolean;
}

/**
 * `samsa inspect`: the topics, consumer groups with lag, published schemas and (with `--store`) state store sizes
 * of an application, read-only. Tables for people, `--json` for scripts.
 */
export function inspectCommand(): Command {
  return new Command('inspect')
    .description('Show topics, consumer group lag, published schemas and state store sizes (read-only)')
    .option(
      '--kafka-servers <servers>',
      'Kafka bootstrap servers, comma-separated (default: $SAMSA_KAFKA_SERVERS, else $KAFKA_BROKERS)',
    )
    .option('--kafka-settings <json>', 'JSON object merged into the Kafka client settings (ssl, sasl, ...)')
    .option(
      '--topic-prefix <prefix>',
      'only topics under this prefix (default: $SAMSA_TOPIC_PREFIX, else none)',
    )
    .option('--topics <glob>', 'only topics matching this glob, with or without the prefix', '*')
    .option('--group <glob>', 'only consumer groups matching this glob', '*')
    .option(
      '--no-schemas',
      'skip reading the __schema__ topics (each read joins a throw-away consumer group)',
    )
    .option(
      '--store <location>',
      'count keys per state store: a SQLite file or a postgres:// URL (opened read-only)',
    )
    .option('--store-schema <schema>', 'Postgres schema of the samsa_state table', 'public')
    .option('--json', 'print the report as JSON')
    .option('--progress', 'show progress on stderr from the start (default: on a terminal, after a second)')
    .option('--no-progress', 'never show progress')
    .action(async (flags: InspectFlags) => {
      for (const [flag, value] of [
        ['--topics', flags.topics],
        ['--group', flags.group],
      ]) {
        if (!value.trim()) throw new CliUsageError(`${flag} needs a glob, e.g. 'orders.*'`);
      }
      const brokers = brokersFrom(flags);
      applyKafkaFlags({ ...flags, kafkaServers: brokers.join(',') });
      const app = await openCliContext(brokers, 'samsa-inspect');
      const progress = new ProgressReporter(process.stderr, progressMode(flags.progress));
      try {
        const store =
          flags.store === undefined ? undefined : { store: flags.store, schema: flags.storeSchema };
        const report = await readInspectReport(
          app,
          {
            topics: flags.topics,
            group: flags.group,
            schemas: flags.schemas,
            store,
          },
          (step) => progress.update(step),
        ).catch((error: unknown) => {
          if (error instanceof CliUsageError || error instanceof CliFailureError) throw error;
          throw new CliFailureError(`Cannot read the cluster at ${brokers.join(',')}: ${messageOf(error)}`, {
            cause: error,
          });
        });
        progress.done();
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(report, null, 2)}\n`
            : formatInspectReport(report, flags.store && redactUrl(flags.store)),
        );
      } finally {
        progress.done();
        await app.close();
      }
    });
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
