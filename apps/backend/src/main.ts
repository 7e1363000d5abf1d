import 'reflect-metadata';
import { type AppConfig, ConfigError, loadConfig } from './config/app-config.js';
import { createApp } from './app.factory.js';
import { createLogger } from './common/logger.js';
import { startTracing, stopTracing } from './tracing/tracing.js';

let config: AppConfig;
try {
  config = loadConfig();
} catch (error) {
  // One message naming every bad variable, then stop.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const logger = createLogger(config.logLevel);
// Before the app is built, so its hooks and the SQL instrumentation see the tracer (OTEL_EXPORTER_OTLP_ENDPOINT).
startTracing(config);
const { app } = await createApp(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'start-up failed');
  process.exit(1);
});

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
  const force = setTimeout(() => {
    logger.error('shutdown timed out; exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  try {
    await app.close();
    await stopTracing();
    logger.info('shutdown complete');
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.once('SIGTERM', (signal) => void shutdown(signal));
process.once('SIGINT', (signal) => void shutdown(signal));

await app.listen({ port: config.port, host: config.host });
const address = app.getHttpServer().address();
const port = typeof address === 'object' && address !== null ? address.port : config.port;
// `url` is what process supervisors and the E2E harness read to find the server.
const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
logger.info({ url }, `Tasks API listening on ${url}`);
