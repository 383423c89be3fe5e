import { describe, expect, it, vi } from 'vitest';
import type { StreamAdmin, StreamProducer } from '../kafka/kafka-client.interface.js';
import type { TopicManager } from '../publisher/topic-manager.js';
import type { StoreSettings } from '../store/store-settings.js';
import { UnitOfWork } from '../store/unit-of-work.js';
import { ChangelogWriter } from './changelog-writer.js';

describe('ChangelogWriter', () => {
  it('vouches for a batch that changed no changelog store once it is confirmed (its file is the changelogs’ then)', async () => {
    const send = vi.fn();
    const writer = new ChangelogWriter(
      { send } as unknown as StreamProducer,
      {} as StreamAdmin,
      {} as TopicManager,
      (store) => `${store}-changelog`,
    );
    const vouch = vi.fn(async () => undefined);
    const position = { group: 'g', topic: 'events', partition: 0, offset: '7' };
    const written = await writer.write(
      new UnitOfWork(0),
      [{ name: 'counts' } as StoreSettings],
      { position, from: '5', epoch: 1 },
      { checkpoint: async () => undefined, vouch },
    );
    expect(written.checkpoints).toEqual([]);
    expect(vouch).not.toHaveBeenCalled();
    await written.confirm();
    expect(vouch).toHaveBeenCalledWith([position]);
    expect(send).not.toHaveBeenCalled();
  });

  it('owes a position record to the changelogs of a batch not confirmed (outputs waited, or the send failed): the next confirmation sends it there too', async () => {
    const sent: string[][] = [];
    let failing = false;
    const send = vi.fn(async (requests: Array<{ topic: string }>) => {
      if (failing && requests.some(({ topic }) => topic.startsWith('s1'))) throw new Error('broker away');
      sent.push(requests.map(({ topic }) => topic));
      return requests.map(({ topic }) => ({ topic, partition: 0, offset: '0' }));
    });
    const writer = new ChangelogWriter(
      { send } as unknown as StreamProducer,
      { describeTopics: async () => new Map([['events', [{ partition: 0 }]]]) } as unknown as StreamAdmin,
      { ensure: async () => undefined } as unknown as TopicManager,
      (store) => `${store}-changelog`,
    );
    const vouch = vi.fn(async () => undefined);
    const journal = { checkpoint: async () => undefined, vouch };
    const stores = ['s1', 's2'].map((name) => ({ name }) as StoreSettings);
    const writing = (store: string) =>
      ({
        partition: 0,
        writes: () => new Map([[store, new Map([['k', { deleted: false, value: 1 }]])]]),
      }) as unknown as UnitOfWork;
    const at = (from: string, to: string) => ({
      position: { group: 'g', topic: 'events', partition: 0, offset: to },
      from,
      epoch: 1,
    });

    (await writer.write(writing('s2'), stores, at('0', '5'), journal)).defer();
    sent.length = 0;
    const second = await writer.write(writing('s1'), stores, at('5', '9'), journal);
    failing = true;
    await expect(second.confirm()).rejects.toThrow('broker away');
    expect(vouch).not.toHaveBeenCalled();
    failing = false;
    // A batch that changed nothing still carries the position record to both changelogs owed one.
    const third = await writer.write(new UnitOfWork(0), stores, at('9', '12'), journal);
    await third.confirm();
    expect(sent.at(-1)?.sort()).toEqual(['s1-changelog', 's2-changelog']);
    expect(vouch).toHaveBeenCalledTimes(1);
    // Paid: the next confirmation owes nothing more.
    const fourth = await writer.write(new UnitOfWork(0), stores, at('12', '14'), journal);
    sent.length = 0;
    await fourth.confirm();
    expect(sent).toEqual([]);
  });
});
