import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  /** The Node that runs the servers (`--node`), which may differ from the bench's own. */
  node: string;
  postgres: string;
  os: string;
  /** 1-minute load average when the run started: other work on the machine shows here. */
  loadAvg: number;
}

async function postgresVersion(serverUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>('SELECT version()');
    return rows[0]?.version.split(' on ')[0] ?? 'unknown';
  } catch (error) {
    return `unreachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function machineInfo(serverUrl: string, node: string = process.execPath): Promise<MachineInfo> {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpuModel.trim(),
    memoryGb: os.totalmem() / 1024 ** 3,
    node: node === process.execPath ? process.version : execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(),
    postgres: await postgresVersion(serverUrl),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvg: os.loadavg()[0] ?? 0,
  };
}
