import type { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { KafkaConnections } from '../kafka/kafka-connections.js';
import { CliFailureError } from './cli-failure.error.js';
import { CliUsageError } from './cli-usage.error.js';
import { takeCensus, type DeadLetterGroup } from './dead-letter-census.js';
import { DeadLetterReplay, type ReplaySummary } from './dead-letter-replay.js';
import { parseFilter, type DeadLetterFilter } from './dead-letter-selection.js';
import { applyKafkaFlags, brokersFrom, type KafkaFlags } from './kafka-flags.js';
import { openCliContext } from './open-cli-context.js';
import { ProgressReporter, progressMode } from './progress-reporter.js';
import { formatTable } from './text-table.js';

interface DlqFlags extends KafkaFlags {
  json?: boolean;
  progress?: boolean;
}

interface ReplayFlags extends DlqFlags {
  to?: string;
  filter: DeadLetterFilter[];
  dryRun?: boolean;
  group?: string;
}

/** `samsa dlq ls|replay <dlq-topic>`: what sits in a dead-letter topic, and sending it back. */
export function dlqCommand(): Command {
  const dlq = new Command('dlq').description('Look into a dead-letter topic and replay its letters');
  dlq.addCommand(
    withCommonFlags(new Command('ls'))
      .description('Count the dead letters of a topic by error class, handler and the topic they failed on')
      .argument('<dlq-topic>', 'the dead-letter topic, as Kafka names it (with any prefix)')
      .action(async (dlqTopic: string, flags: DlqFlags) => {
        const groups = await withKafka(flags, 'samsa-dlq-ls', (kafka, progress) =>
          takeCensus(kafka.admin, kafka.client.reader(), dlqTopic, (step) => progress.update(step)),
        );
        process.stdout.write(
          flags.json ? `${JSON.stringify({ dlqTopic, groups }, null, 2)}\n` : formatCensus(dlqTopic, groups),
        );
      })
      .exitOverride(),
  );
  dlq.addCommand(
    withCommonFlags(new Command('replay'))
      .description(
        'Send dead letters back to the topic they failed on (key, value and their own headers), each once',
      )
      .argument('<dlq-topic>', 'the dead-letter topic, as Kafka names it (with any prefix)')
      .option('--to <topic>', 'send them to this topic instead (as Kafka names it)')
      .option(
        '--filter <field=value>',
        'only letters whose error-class, handler or topic is this (repeat: all must match)',
        (text: string, previous: DeadLetterFilter[]) => [...previous, parseFilter(text)],
        [],
      )
      .option('--dry-run', 'count what would be sent; send and commit nothing')
      .option(
        '--group <id>',
        'the group remembering what was replayed (default: samsa-dlq-replay.<dlq-topic>, one more per --to/--filter selection)',
      )
      .action(async (dlqTopic: string, flags: ReplayFlags) => {
        if (flags.to !== undefined && !flags.to.trim()) throw new CliUsageError('--to needs a topic name');
        const summary = await withKafka(flags, 'samsa-dlq-replay', (kafka, progress) =>
          new DeadLetterReplay(kafka.admin, kafka.client.reader(), kafka.producer).run({
            dlqTopic,
            to: flags.to,
            filters: flags.filter,
            dryRun: flags.dryRun === true,
            group: flags.group,
            onProgress: (step) => progress.update(step),
          }),
        );
        process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : formatReplay(summary));
      })
      .exitOverride(),
  );
  return dlq;
}

function withCommonFlags(command: Command): Command {
  return command
    .option(
      '--kafka-servers <servers>',
      'Kafka bootstrap servers, comma-separated (default: $SAMSA_KAFKA_SERVERS, else $KAFKA_BROKERS)',
    )
    .option('--kafka-settings <json>', 'JSON object merged into the Kafka client settings (ssl, sasl, ...)')
    .option('--json', 'print the result as JSON')
    .option('--progress', 'show progress on stderr from the start (default: on a terminal, after a second)')
    .option('--no-progress', 'never show progress');
}

/** Runs `work` on connected Kafka clients; any failure but a CLI error becomes a CliFailureError. */
async function withKafka<T>(
  flags: DlqFlags,
  clientId: string,
  work: (kafka: KafkaConnections, progress: ProgressReporter) => Promise<T>,
): Promise<T> {
  const brokers = brokersFrom(flags);
  applyKafkaFlags({ ...flags, kafkaServers: brokers.join(','), topicPrefix: undefined });
  const progress = new ProgressReporter(process.stderr, progressMode(flags.progress));
  let app: INestApplicationContext | undefined;
  try {
    app = await openCliContext(brokers, clientId);
    const kafka = app.get(KafkaConnections);
    await kafka.connect();
    return await work(kafka, progress);
  } catch (error) {
    if (error instanceof CliUsageError || error instanceof CliFailureError) throw error;
    throw new CliFailureError(`Kafka at ${brokers.join(',')}: ${messageOf(error)}`, { cause: error });
  } finally {
    progress.done();
    await app?.close();
  }
}

function formatCensus(dlqTopic: string, groups: DeadLetterGroup[]): string {
  const total = groups.reduce((sum, { count }) => sum + count, 0);
  if (total === 0) return `No dead letters in ${dlqTopic}.\n`;
  const rows = groups.map(({ errorClass, handler, topic, count, first, last }) => [
    errorClass,
    handler,
    topic,
    String(count),
    first ?? '-',
    last ?? '-',
  ]);
  return (
    `${total} dead letter${total === 1 ? '' : 's'} in ${dlqTopic}\n\n` +
    formatTable(['ERROR CLASS', 'HANDLER', 'FAILED ON', 'COUNT', 'FIRST', 'LAST'], rows)
  );
}

function formatReplay(summary: ReplaySummary): string {
  const sent = Object.values(summary.replayed).reduce((sum, count) => sum + count, 0);
  const verb = summary.dryRun ? 'Would replay' : 'Replayed';
  const lines = [
    `${verb} ${sent} dead letter${sent === 1 ? '' : 's'} of ${summary.read} read from ${summary.dlqTopic} (group ${summary.group})`,
  ];
  if (sent > 0) {
    lines.push(
      formatTable(
        ['TO', 'COUNT'],
        Object.entries(summary.replayed).map(([topic, count]) => [topic, String(count)]),
        '  ',
      ).trimEnd(),
    );
  }
  if (summary.skipped.filtered > 0) lines.push(`Skipped ${summary.skipped.filtered} not matching --filter`);
  if (summary.skipped.noTopic > 0) {
    lines.push(
      `Skipped ${summary.skipped.noTopic} without a samsa.dlq.topic header: replay them with --to <topic>`,
    );
  }
  if (summary.earlier > 0)
    lines.push(`${summary.earlier} passed over: replayed by earlier runs of this group`);
  if (summary.dryRun) lines.push('Dry run: nothing sent, nothing committed');
  return `${lines.join('\n')}\n`;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
