/** Which instance owns a store key: the answer of `StreamMetadata.ownerOf()`. */
export interface KeyOwner {
  store: string;
  key: string;
  /** The consumer group of the handler that writes the store. */
  group: string;
  /** The input topic (Kafka name, prefix included) the store is keyed like. */
  topic: string;
  /** The partition of `topic` the key belongs to. */
  partition: number;
  /** This instance owns the partition now: its reads of the key are current. */
  local: boolean;
  /** Some instance owns the partition now; false while nobody does (no instance runs the handler). */
  owned: boolean;
  /**
   * The owner's advertised URL (`forRoot({ advertisedUrl })`): this instance's own when `local`;
   * undefined when the owner advertises none or nobody owns the partition.
   */
  url?: string;
}

export interface OwnerQuery {
  /**
   * The input topic (as named in `@StreamHandler`, before the topic prefix) whose partitioning to
   * use. Needed only when several topics write the store.
   */
  topic?: string;
}
