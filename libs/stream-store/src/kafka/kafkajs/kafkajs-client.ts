import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type {
  ConsumerSettings,
  KafkaClient,
  ProducerSettings,
  StreamAdmin,
  StreamConsumer,
  StreamProducer,
  StreamReader,
} from '../kafka-client.interface.js';
import { KafkajsAdmin } from './kafkajs-admin.js';
import { KafkajsConsumer } from './kafkajs-consumer.js';
import { KafkajsProducer } from './kafkajs-producer.js';
import { KafkajsReader } from './kafkajs-reader.js';

/** The default client: KafkaJS, with its log routed through Nest's logger. */
export class KafkajsClient implements KafkaClient {
  private readonly kafka: Kafka;

  constructor(config: KafkaConfig) {
    this.kafka = new Kafka({ logLevel: logLevel.WARN, logCreator: nestLogCreator, ...config });
  }

  consumer(settings: ConsumerSettings): StreamConsumer {
    return new KafkajsConsumer(this.kafka, settings);
  }

  producer(settings: ProducerSettings): StreamProducer {
    return new KafkajsProducer(this.kafka, settings);
  }

  admin(): StreamAdmin {
    return new KafkajsAdmin(this.kafka);
  }

  reader(): StreamReader {
    return new KafkajsReader(this.kafka);
  }
}

function nestLogCreator() {
  const logger = new Logger('KafkaJS');
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    const line = `${message} ${JSON.stringify(extra)}`;
    if (level === logLevel.ERROR) logger.error(line);
    else if (level === logLevel.WARN) logger.warn(line);
    else logger.debug(line);
  };
}
