import type { StreamAdmin } from '../kafka/kafka-client.interface.js';
import type { HandlerStatus } from '../transport/stream-store.server.js';

/** An assigned partition that has had records waiting, and not moved, for `forMs`. */
export interface StalledPartition {
  handler: string;
  /** `topic:partition`. */
  partition: string;
  /** Records after its position. */
  waiting: bigint;
  forMs: number;
}

/**
 * Finds partitions held up by anything at all (a slow rebalance, a hung client, a bug): of the
 * partitions that finished no batch for a while (`HandlerStatus.unmoved`), those with records
 * after their position, as Kafka's log end says. A partition idle because it is caught up is not
 * stalled: it counts from the first check that saw records waiting for it.
 */
export class StallWatch {
  /** Per partition: the position records were first seen waiting after, and when. */
  private readonly seen = new Map<string, { position: string; at: number }>();
  /** Log ends and committed offsets as last asked, per topic and per group: probes come often. */
  private readonly asked = new Map<string, { at: number; answer: Promise<unknown> }>();

  /**
   * @param cacheMs how long an answer from Kafka is reused: a liveness probe every second costs one
   *   ListOffsets per topic and one OffsetFetch per group in that time, not one per probe.
   */
  constructor(private readonly cacheMs = 5_000) {}

  async check(
    admin: StreamAdmin,
    handlers: readonly HandlerStatus[],
    afterMs: number,
    now = Date.now(),
  ): Promise<StalledPartition[]> {
    const stalled: StalledPartition[] = [];
    const current = new Set<string>();
    for (const handler of handlers) {
      const unmoved = Object.entries(handler.unmoved ?? {});
      if (unmoved.length === 0) continue;
      const topics = [...new Set(unmoved.map(([key]) => key.slice(0, key.lastIndexOf(':'))))];
      const [ends, committed] = await Promise.all([
        Promise.all(
          topics.map(
            async (topic) =>
              [
                topic,
                await this.ask(`end\u0000${topic}`, now, () => admin.fetchTopicOffsets(topic)),
              ] as const,
          ),
        ),
        this.ask(`group\u0000${handler.group}\u0000${topics.join('\u0000')}`, now, () =>
          admin.fetchGroupOffsets(handler.group, topics),
        ),
      ]);
      const endOf = new Map(
        ends.flatMap(([topic, offsets]) => offsets.map((end) => [`${topic}:${end.partition}`, end])),
      );
      for (const [key, { forMs, next }] of unmoved) {
        const end = endOf.get(key);
        if (!end) continue;
        const commit = committed.find((c) => `${c.topic}:${c.partition}` === key)?.offset;
        const position = next ?? (commit !== undefined && BigInt(commit) >= 0n ? commit : end.low);
        const waiting = BigInt(end.high) - BigInt(position);
        if (waiting <= 0n) continue;
        const id = `${handler.group}\u0000${key}`;
        current.add(id);
        const first = this.seen.get(id);
        const since = first?.position === position ? first.at : now;
        this.seen.set(id, { position, at: since });
        const waited = Math.min(forMs, now - since);
        if (waited >= afterMs)
          stalled.push({ handler: handler.handler, partition: key, waiting, forMs: waited });
      }
    }
    for (const id of this.seen.keys()) if (!current.has(id)) this.seen.delete(id);
    return stalled;
  }

  /** Kafka's answer to `question`, reused for `cacheMs`; a failed one is asked again next time. */
  private ask<T>(question: string, now: number, query: () => Promise<T>): Promise<T> {
    for (const [key, { at }] of this.asked) if (now - at >= this.cacheMs) this.asked.delete(key);
    const cached = this.asked.get(question);
    if (cached) return cached.answer as Promise<T>;
    const answer = query();
    this.asked.set(question, { at: now, answer });
    answer.catch(() => this.asked.delete(question));
    return answer;
  }
}
