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
});
