import kafkajs, { type Kafka, type KafkaConfig } from 'kafkajs';
import type {
  BrokerReachabilityState,
  ConsumerSettings,
  KafkaClient,
  ProducerSettings,
  StreamAdmin,
  StreamConsumer,
  StreamProducer,
  StreamReader,
} from '../kafka-client.interface.js';
import { BrokerProbe } from './broker-probe.js';
import { BrokerReachability, REACHABILITY_DEFAULTS } from './broker-reachability.js';
import type { ClientContext } from './client-context.js';
import { registerCompressionCodecs } from './codecs/compression-codecs.js';
import { KafkajsAdmin } from './kafkajs-admin.js';
import { KafkajsConsumer } from './kafkajs-consumer.js';
import { nestLogCreator } from './kafkajs-log.js';
import { KafkajsProducer } from './kafkajs-producer.js';
import { KafkajsReader } from './kafkajs-reader.js';
import { explainSaslFailure } from './sasl-listener.js';

const { Kafka: KafkaClass, logLevel } = kafkajs;

/**
 * The default client: KafkaJS, with every codec Kafka producers use, its log routed through Nest's
 * logger at levels that say who must act, and the brokers' reachability judged from all its traffic.
 */
export class KafkajsClient implements KafkaClient {
  private readonly kafka: Kafka;
  private readonly context: ClientContext;
  private readonly probe: BrokerProbe;

  constructor(config: KafkaConfig) {
    registerCompressionCodecs();
    const saslConfigured = config.sasl !== undefined;
    this.kafka = new KafkaClass({
      logLevel: logLevel.WARN,
      logCreator: nestLogCreator({ saslConfigured }),
      ...config,
    });
    const reachability = new BrokerReachability({
      unreachableAfterMs: REACHABILITY_DEFAULTS.unreachableAfterMs,
    });
    const brokers = Array.isArray(config.brokers) ? config.brokers : ['(brokers from a function)'];
    this.context = {
      reachability,
      explainConnectFailure: (error) => explainSaslFailure(error, brokers, saslConfigured),
    };
    // Silent: a failed probe is reported through the reachability, not as a log line.
    const probeKafka = new KafkaClass({ ...config, logLevel: logLevel.NOTHING });
    this.probe = new BrokerProbe(probeKafka, reachability, {
      intervalMs: REACHABILITY_DEFAULTS.probeIntervalMs,
      timeoutMs: REACHABILITY_DEFAULTS.probeTimeoutMs,
    });
  }

  consumer(settings: ConsumerSettings): StreamConsumer {
    return new KafkajsConsumer(this.kafka, settings, this.context);
  }

  producer(settings: ProducerSettings): StreamProducer {
    return new KafkajsProducer(this.kafka, settings, this.context);
  }

  admin(): StreamAdmin {
    return new KafkajsAdmin(this.kafka);
  }

  reader(): StreamReader {
    return new KafkajsReader(this.kafka, this.context);
  }

  /**
   * Probes start with the first question (an application nobody asks does not probe), so the
   * bound of REACHABILITY_DEFAULTS holds from then on.
   */
  reachability(): BrokerReachabilityState {
    this.probe.start();
    return this.context.reachability.state();
  }

  async close(): Promise<void> {
    this.probe.stop();
  }
}
