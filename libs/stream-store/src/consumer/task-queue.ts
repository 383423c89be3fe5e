/**
 * Runs the batches of one partition number one at a time, in arrival order (Kafka Streams' task):
 * partition p of every topic a handler reads shares changelog partition p and, when the topics
 * share keys, state rows. Two of them at once would read a key before the other wrote it (a lost
 * update) and interleave their changelog records. Other partition numbers still run side by side.
 */
export class TaskQueue {
  private readonly tails = new Map<number, Promise<void>>();

  run<T>(partition: number, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(partition);
    const result = previous ? previous.then(work) : work();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(partition, tail);
    void tail.then(() => {
      if (this.tails.get(partition) === tail) this.tails.delete(partition);
    });
    return result;
  }
}
