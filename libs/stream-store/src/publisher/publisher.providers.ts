import type { Provider } from '@nestjs/common';
import { StreamPublisher } from './stream-publisher.js';
import { StreamTopics } from './stream-topics.js';

/** Providers of the publishing side, registered (and exported) by the core module. */
export const publisherProviders: Provider[] = [StreamPublisher, StreamTopics];
