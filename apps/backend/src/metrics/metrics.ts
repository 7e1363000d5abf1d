import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the pool gauges read; a `pg.Pool` has all three. */
export interface PoolStats {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const LAG_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

/**
 * The application's Prometheus series and the typed calls that move them. Every label value is a
 * code constant or a route template: never an id, an email or a raw URL. With metrics off
 * (METRICS_PORT unset) the same API exists and every call returns at once (`enabled` false).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly httpInFlight: Gauge;
  private readonly queryDuration: Histogram<'database'>;
  private readonly eventsEmitted: Counter<'event'>;
  private readonly deliveryLag: Histogram;
  private readonly rateLimitRejections: Counter<'limiter'>;
  private readonly hashQueueDepth: Gauge;
  private readonly hashInFlight: Gauge;
  /** What the scrape-time gauges read, filled in by the components that own them. */
  private readonly sources: { pool?: PoolStats; sockets?: () => number } = {};

  constructor(readonly enabled: boolean) {
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request arrival to the response sent, by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.httpInFlight = new Gauge({ name: 'http_requests_in_flight', help: 'HTTP requests being served.', registers });
    const sources = this.sources;
    this.queryDuration = new Histogram({
      name: 'db_query_duration_seconds',
      help: 'SQL statement duration as the application sees it (PGlite: the direct SQL path only).',
      labelNames: ['database'],
      buckets: QUERY_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'socketio_connected_sockets',
      help: 'Socket.IO sockets connected to this instance on /tasks.',
      registers,
      collect() {
        this.set(sources.sockets?.() ?? 0);
      },
    });
    this.eventsEmitted = new Counter({
      name: 'socketio_events_emitted_total',
      help: 'Task events broadcast by this instance, by event name.',
      labelNames: ['event'],
      registers,
    });
    this.deliveryLag = new Histogram({
      name: 'tasks_change_delivery_lag_seconds',
      help: 'From a change being committed to its event being emitted by this instance.',
      buckets: LAG_BUCKETS,
      registers,
    });
    this.rateLimitRejections = new Counter({
      name: 'rate_limit_rejections_total',
      help: 'Requests refused by a rate limit or quota, by limiter name.',
      labelNames: ['limiter'],
      registers,
    });
    this.hashQueueDepth = new Gauge({
      name: 'password_hash_queue_depth',
      help: 'Password hash or verify jobs waiting for a hashing slot.',
      registers,
    });
    this.hashInFlight = new Gauge({
      name: 'password_hash_in_flight',
      help: 'Password hash or verify jobs running now.',
      registers,
    });
    if (enabled) collectDefaultMetrics({ register: this.registry });
  }

  /** Reads the pool's counts at each scrape; PGlite has no pool, so these series exist on PostgreSQL only. */
  observePool(pool: PoolStats): void {
    if (!this.enabled) return;
    const first = this.sources.pool === undefined;
    this.sources.pool = pool;
    if (!first) return;
    const sources = this.sources;
    const registers = [this.registry];
    new Gauge({
      name: 'db_pool_connections',
      help: 'Connections open in the PostgreSQL pool (absent on embedded PGlite, which has no pool).',
      registers,
      collect() {
        if (sources.pool) this.set(sources.pool.totalCount);
      },
    });
    new Gauge({
      name: 'db_pool_idle_connections',
      help: 'Pool connections open and idle.',
      registers,
      collect() {
        if (sources.pool) this.set(sources.pool.idleCount);
      },
    });
    new Gauge({
      name: 'db_pool_waiting_requests',
      help: 'Queries waiting for a pool connection.',
      registers,
      collect() {
        if (sources.pool) this.set(sources.pool.waitingCount);
      },
    });
  }

  queryFinished(database: 'postgresql' | 'pglite', seconds: number): void {
    if (this.enabled) this.queryDuration.observe({ database }, seconds);
  }

  /** Reads the connected socket count at each scrape. */
  observeConnectedSockets(count: () => number): void {
    if (this.enabled) this.sources.sockets = count;
  }

  /** One event emitted; `committedAt` is epoch milliseconds (fractional) of the change's commit. */
  eventEmitted(event: string, committedAt: number): void {
    if (!this.enabled) return;
    this.eventsEmitted.inc({ event });
    this.deliveryLag.observe(Math.max(0, epochMs() - committedAt) / 1000);
  }

  /** A request refused by the limiter named (a code constant, e.g. `auth_login`). */
  rateLimitRejected(limiter: string): void {
    if (this.enabled) this.rateLimitRejections.inc({ limiter });
  }

  /** Jobs waiting for the password hasher (the bounded hashing queue sets it). */
  passwordHashQueueDepth(depth: number): void {
    if (this.enabled) this.hashQueueDepth.set(depth);
  }

  passwordHashStarted(): void {
    if (this.enabled) this.hashInFlight.inc();
  }

  passwordHashFinished(): void {
    if (this.enabled) this.hashInFlight.dec();
  }

  /** The exposition text for a scrape. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Epoch milliseconds with sub-millisecond precision, comparable across modules of this process. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
