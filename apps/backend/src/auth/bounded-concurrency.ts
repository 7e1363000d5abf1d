/**
 * Runs at most `limit` tasks at once with at most `queueLimit` waiting; `run` answers undefined
 * (without running anything) when the queue is full, so the caller can refuse at once.
 */
export class BoundedConcurrency {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly queueLimit: number,
  ) {}

  /** True when `run` would refuse now; lets a caller skip the work that would precede it. */
  get saturated(): boolean {
    return this.running >= this.limit && this.waiting.length >= this.queueLimit;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  run<T>(task: () => Promise<T>): Promise<T> | undefined {
    if (this.running < this.limit) return this.start(task);
    if (this.waiting.length >= this.queueLimit) return undefined;
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.start(task));
  }

  private async start<T>(task: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}
