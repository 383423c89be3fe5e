/** A handler's consumer group and one of its input topics (Kafka name): where a store's writes come from. */
export interface StoreInput {
  readonly group: string;
  readonly topic: string;
}

export function sameInput(a: StoreInput, b: StoreInput): boolean {
  return a.group === b.group && a.topic === b.topic;
}
