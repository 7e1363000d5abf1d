import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from './metrics.js';
import { MetricsServer } from './metrics.server.js';

/**
 * Provides `Metrics` to every module (a no-op instance when METRICS_PORT is unset) and runs the
 * metrics server with the application: listening once the app has bootstrapped, closed on shutdown.
 */
@Global()
@Module({})
export class MetricsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');

  constructor(
    private readonly config: AppConfig,
    @Inject(MetricsServer) private readonly server: MetricsServer,
  ) {}

  static forRoot(config: AppConfig): DynamicModule {
    const metrics = new Metrics(config.metrics.port !== undefined);
    return {
      module: MetricsModule,
      providers: [
        { provide: Metrics, useValue: metrics },
        { provide: MetricsServer, useValue: new MetricsServer(metrics) },
      ],
      exports: [Metrics, MetricsServer],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.config.metrics;
    if (port === undefined) return;
    const address = await this.server.listen(port, host);
    const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}/metrics`;
    this.logger.log(`Prometheus metrics at ${url}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
  }
}
