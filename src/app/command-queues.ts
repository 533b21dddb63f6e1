// One queue of commands per owner: an owner's commands are carried out one after the other, in
// the order they came, and no more than `limit` wait at once, so a flood from one owner takes
// bounded memory and the others' commands still go through.

export class CommandQueues {
  readonly #limit: number;
  readonly #queues = new Map<string, { tail: Promise<unknown>; waiting: number }>();

  /** `limit`: most commands of one sender waiting or running at once (default 32). */
  constructor(limit = 32) {
    this.#limit = limit;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Runs `work` after the sender's earlier commands; undefined, and nothing run, when its queue is full. */
  run<T>(sender: string, work: () => Promise<T>): Promise<T> | undefined {
    let queue = this.#queues.get(sender);
    if (!queue) {
      queue = { tail: Promise.resolve(), waiting: 0 };
      this.#queues.set(sender, queue);
    }
    if (queue.waiting >= this.#limit) return undefined;
    queue.waiting += 1;
    const result = queue.tail.then(work);
    const current = queue;
    const done = () => {
      current.waiting -= 1;
      if (current.waiting === 0 && this.#queues.get(sender) === current) this.#queues.delete(sender);
    };
    queue.tail = result.then(done, done);
    return result;
  }
}
