import { type INestApplication, Logger } from '@nestjs/common';
import { StreamPublisher } from '@samsa/stream-store';
import { ContentMessage } from './content/content.message.js';
import { DemoProgress } from './demo-progress.js';
import { DeploymentStatus, STATUSES } from './deployments/deployment-status.message.js';
import { words } from './pipeline/text-source.js';

type Status = (typeof STATUSES)[number];

const STATUS_EVENTS: Array<[deployment: string, status: Status]> = [
  ['d1', 'COMMISSIONED'],
  ['d2', 'COMMISSIONED'],
  ['d1', 'CONNECTED'],
  ['d1', 'CONNECTED'],
  ['d2', 'CONNECTED'],
  ['d1', 'DISCONNECTED'],
];

/** What the scenario publishes, and so what the handlers must have done when it is over. */
export const EXPECTED = {
  content: 4,
  statuses: STATUS_EVENTS.length,
  changes: 3,
  words: [...words()].length,
  his: [...words()].filter(({ word }) => word === 'his').length,
  finalStatus: { d1: 'DISCONNECTED', d2: 'CONNECTED' },
};

const status = (deployment: string, value: Status) =>
  Object.assign(new DeploymentStatus(), { deployment, status: value });

/**
 * Publishes the demo's data: single messages and message sets (the words come from `TextSource`, a
 * `@StreamSource` that runs at startup).
 */
export async function publishScenario(app: INestApplication): Promise<void> {
  const publisher = app.get(StreamPublisher);
  await publisher.publish('content.edited', new ContentMessage('bar'), {
    key: 'user-1',
    headers: { trace: 'demo' },
  });
  await publisher.publish('content.created.Page', new ContentMessage('new page'));
  await publisher.publishSet('content.edited', [new ContentMessage('one'), new ContentMessage('two')], {
    key: 'user-2',
  });
  // One partition per deployment (keyed), so each deployment's events stay in order.
  await publisher.publishSet(
    'events.connection.status',
    STATUS_EVENTS.filter(([deployment]) => deployment === 'd1').map(([d, s]) => status(d, s)),
    { key: 'd1' },
  );
  await publisher.publishSet(
    'events.connection.status',
    STATUS_EVENTS.filter(([deployment]) => deployment === 'd2').map(([d, s]) => status(d, s)),
    { key: 'd2' },
  );
}

/** Resolves once every handler saw what `publishScenario` sent; rejects after `timeoutMs`. */
export async function scenarioDone(app: INestApplication, timeoutMs = 120_000): Promise<void> {
  const progress = app.get(DemoProgress);
  const deadline = Date.now() + timeoutMs;
  const done = () =>
    progress.of('content') >= EXPECTED.content &&
    progress.of('statuses') >= EXPECTED.statuses &&
    progress.of('changes') >= EXPECTED.changes &&
    progress.of('words') >= EXPECTED.words;
  while (!done()) {
    if (Date.now() > deadline) {
      const seen = ['content', 'statuses', 'changes', 'words'].map((what) => `${what}=${progress.of(what)}`);
      throw new Error(`The demo scenario did not finish within ${timeoutMs} ms (${seen.join(', ')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A random status event every few seconds, so a running demo keeps showing what happens. */
export function keepPublishing(app: INestApplication, everyMs = 3_000): { stop(): Promise<void> } {
  const publisher = app.get(StreamPublisher);
  const logger = new Logger('Demo');
  const inFlight = new Set<Promise<unknown>>();
  const ticker = setInterval(() => {
    const deployment = `d${1 + Math.floor(Math.random() * 3)}`;
    const value = STATUSES[Math.floor(Math.random() * STATUSES.length)];
    const sent = publisher
      .publish('events.connection.status', status(deployment, value), { key: deployment })
      .catch((error: unknown) => logger.warn(`A status change was not published: ${String(error)}`))
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
  }, everyMs);
  // Shutdown waits for a publish under way: closed under it, the producer would fail it.
  return {
    stop: async () => {
      clearInterval(ticker);
      await Promise.all(inFlight);
    },
  };
}
