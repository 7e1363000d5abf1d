// `pnpm bench`: the backend and a bare Fastify + pg baseline, side by side on one machine in one run.
// See docs/benchmarks.md for what is measured and why; `--smoke` is the ~1-minute CI variant.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { args, log, options, serverUrl, type Stops, workDir } from './context.js';
import { machineInfo } from './machine.js';
import { runPglite } from './pglite-part.js';
import { runPostgres } from './postgres-part.js';
import { runResume } from './resume-part.js';
import { type BenchReport, printReport, writeDocs } from './report.js';
import { runScale } from './socket-scale-part.js';

async function main(): Promise<BenchReport> {
  const report: BenchReport = {
    options,
    machine: await machineInfo(serverUrl, options.node),
    startedAt: new Date(),
    http: {},
    atRate: {},
    logging: {},
    observability: {},
    pglite: { http: {} },
  };
  log(`${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGb.toFixed(1)} GB, Node ${report.machine.node}, ${report.machine.postgres}`);
  log(`mode ${options.smoke ? 'smoke' : 'full'}; ${options.connections} connections, ${options.warmUpSec}s warm-up + ${options.durationSec}s per run`);

  const stops: Stops = [];
  try {
    if ([...options.parts].some((part) => part !== 'pglite' && part !== 'resume' && part !== 'scale')) await runPostgres(report, stops);
    if (options.parts.has('scale')) report.scale = await runScale();
    if (options.parts.has('resume')) report.resume = await runResume(stops);
    if (options.parts.has('pglite')) await runPglite(report, stops);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(error));
  }
  report.finishedAt = new Date();
  return report;
}

try {
  const report = await main();
  const failures = printReport(report);
  if (options.write) {
    const file = writeDocs(report, options.docsDir === undefined ? undefined : path.resolve(options.docsDir));
    log(`wrote ${file}`);
  }
  if (args.includes('--keep-logs')) log(`server logs kept in ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  // Errors (non-2xx, lost events) fail the run; missed speed targets are reported, not failed.
  if (failures > 0) {
    console.error(`${failures} run(s) had errors or lost events`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(error);
  console.error(`server logs kept in ${workDir}`);
  process.exitCode = 1;
}
