/**
 * Says when a periodic clean-up is due: at most once per `intervalMs`, the first call included.
 * Logout uses it so that expired revocations are purged once a minute at most, not on every call;
 * the table then holds the unexpired revocations plus at most one interval's expired ones.
 */
export class PurgeSchedule {
  private next = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  /** True (and the next one is an interval away) when `now` has reached the next due time. */
  due(now: number): boolean {
    if (now < this.next) return false;
    this.next = now + this.intervalMs;
    return true;
  }
}
