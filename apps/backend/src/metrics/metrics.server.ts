import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

/**
 * The Prometheus endpoint, `GET /metrics`, on its own port (METRICS_PORT) and address (METRICS_HOST),
 * never on the API's: scrapers reach it on the private network, clients of the API never do.
 */
export class MetricsServer {
  private server: Server | undefined;

  constructor(private readonly metrics: Metrics) {}

  async listen(port: number, host: string): Promise<AddressInfo> {
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: scrape GET /metrics\n');
        return;
      }
      this.metrics.scrape().then(
        (text) => response.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
        () => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
      );
    });
    // Scrapes are short; a stuck scraper must not hold shutdown.
    server.requestTimeout = 10_000;
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /** The bound address, once listening (tests and logs use it with METRICS_PORT=0). */
  address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
