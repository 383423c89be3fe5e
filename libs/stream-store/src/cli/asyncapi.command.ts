import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { describeStreamModule } from '../asyncapi/describe-stream-module.js';
import { generateAsyncApi } from '../asyncapi/generate-asyncapi.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import { CliUsageError } from './cli-usage.error.js';
import { applyKafkaFlags, type KafkaFlags } from './kafka-flags.js';
import { loadModule } from './load-module.js';

interface AsyncApiFlags extends KafkaFlags {
  output?: string;
  title?: string;
  apiVersion?: string;
}

/**
 * `samsa asyncapi <module-file>[#ExportName]`: writes the AsyncAPI 3.0 document of a module's schemas and handlers.
 * The module is instantiated but never started: nothing connects to Kafka or opens a store.
 */
export function asyncApiCommand(): Command {
  return new Command('asyncapi')
    .description(
      "Write the AsyncAPI 3.0 document of a module's @StreamHandler methods and schemas (no Kafka connection)",
    )
    .argument('<module>', 'compiled module file, optionally with #ExportName')
    .option('-o, --output <file>', 'write the document to this file instead of stdout')
    .option(
      '--kafka-servers <servers>',
      'brokers listed as servers, comma-separated (overrides forRoot brokers)',
    )
    .option(
      '--topic-prefix <prefix>',
      'topic prefix of the channel addresses (overrides forRoot topicPrefix)',
    )
    .option('--title <title>', 'info.title (default: the appId)')
    .option('--api-version <version>', 'info.version, the version of your API (default: 1.0.0)')
    .action(async (specifier: string, flags: AsyncApiFlags) => {
      applyKafkaFlags(flags);
      const module = await loadModule(specifier);
      let source;
      try {
        source = await describeStreamModule(module, { logger: ['error'] });
      } catch (error) {
        if (error instanceof ConfigurationError) throw new CliUsageError(error.message, { cause: error });
        throw error;
      }
      const document = generateAsyncApi(source, { title: flags.title, version: flags.apiVersion });
      const json = `${JSON.stringify(document, null, 2)}\n`;
      if (flags.output === undefined) {
        process.stdout.write(json);
        return;
      }
      await writeFile(flags.output, json);
      const count = (section: object) => Object.keys(section).length;
      process.stdout.write(
        `Wrote ${flags.output}: ${count(document.channels)} channel(s), ${count(document.operations)} operation(s), ` +
          `${count(document.components.schemas)} schema(s)\n`,
      );
    });
}
