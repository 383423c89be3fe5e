import { Command } from 'commander';
import { startStreamWorker } from '../worker/stream-worker.js';
import { CliUsageError } from './cli-usage.error.js';
import { loadModule } from './load-module.js';

/** `samsa worker <module-file>[#ExportName]`: runs a Nest module as a stream worker (no HTTP). */
export function workerCommand(): Command {
  return new Command('worker')
    .description('Run a Nest module as a stream worker: consume until SIGINT/SIGTERM, then drain and exit 0')
    .argument('<module>', 'compiled module file, optionally with #ExportName')
    .option(
      '--kafka-servers <servers>',
      'Kafka bootstrap servers, comma-separated (overrides forRoot brokers)',
    )
    .option('--kafka-settings <json>', 'JSON object merged into the Kafka client settings (ssl, sasl, ...)')
    .option('--topic-prefix <prefix>', 'topic prefix (overrides forRoot topicPrefix)')
    .action(
      async (
        specifier: string,
        flags: { kafkaServers?: string; kafkaSettings?: string; topicPrefix?: string },
      ) => {
        if (flags.kafkaSettings) assertJsonObject(flags.kafkaSettings);
        // forRoot options are read when the module is instantiated; the flags reach them through the environment.
        if (flags.kafkaServers) process.env.SAMSA_KAFKA_SERVERS = flags.kafkaServers;
        if (flags.kafkaSettings) process.env.SAMSA_KAFKA_SETTINGS = flags.kafkaSettings;
        if (flags.topicPrefix !== undefined) process.env.SAMSA_TOPIC_PREFIX = flags.topicPrefix;
        const module = await loadModule(specifier);
        await startStreamWorker(module);
      },
    );
}

function assertJsonObject(json: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new CliUsageError(`--kafka-settings is not valid JSON: ${json}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliUsageError('--kafka-settings must be a JSON object, e.g. \'{"ssl":true}\'');
  }
}
