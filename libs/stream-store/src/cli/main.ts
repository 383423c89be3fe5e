#!/usr/bin/env node
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { asyncApiCommand } from './asyncapi.command.js';
import { CliFailureError } from './cli-failure.error.js';
import { CliUsageError } from './cli-usage.error.js';
import { dlqCommand } from './dlq.command.js';
import { inspectCommand } from './inspect.command.js';
import { workerCommand } from './worker.command.js';

const USAGE_ERROR = 2;
const FAILURE = 1;

const program = new Command('samsa')
  .description('samsa: Kafka stream processing with state stores for NestJS')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) })
  .addCommand(workerCommand().exitOverride())
  .addCommand(inspectCommand().exitOverride())
  .addCommand(asyncApiCommand().exitOverride())
  .addCommand(dlqCommand().exitOverride());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end with exit code 0; anything else is a usage error.
    process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR);
  }
  if (error instanceof CliUsageError) {
    process.stderr.write(`samsa: ${error.message}\n`);
    process.exit(USAGE_ERROR);
  }
  if (error instanceof CliFailureError) {
    process.stderr.write(`samsa: ${error.message}\n`);
    process.exit(FAILURE);
  }
  throw error;
}
