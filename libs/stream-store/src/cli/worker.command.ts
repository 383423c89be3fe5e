import { Command } from 'commander';
import { startStreamWorker } from '../worker/stream-worker.js';
import { applyKafkaFlags, type KafkaFlags } from './kafka-flags.js';
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
    .action(async (specifier: string, flags: KafkaFlags) => {
      // forRoot options are read when the module is instantiated; the flags reach them through the environment.
      applyKafkaFlags(flags);
      const module = await loadModule(specifier);
      await startStreamWorker(module);
    });
}
