import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEntry, runCli } from './cli.js';
import { servedDocument, type ServedDocument } from './served-document.js';

const config = (name: string) => fileURLToPath(new URL(name, import.meta.url));

interface Finding {
  rule: string;
  severity: 'error' | 'warning';
  where: string;
  message: string;
}

/** `redocly lint` (its recommended rules, plus the ones in redocly.yaml) and Spectral's `spectral:oas` on the served document. */
describe('the served OpenAPI document passes the third-party linters', () => {
  let served: ServedDocument;
  beforeAll(async () => {
    served = await servedDocument();
  }, 180_000);
  afterAll(async () => {
    await served?.close();
  });

  it('redocly lint: no errors and no warnings', async () => {
    const { stdout, stderr } = await runCli(cliEntry('@redocly/cli', 'redocly'), [
      'lint', served.file, '--config', config('redocly.yaml'), '--format', 'json',
    ]);
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };
    expect(report.problems, stderr).toBeDefined();
    const findings: Finding[] = report.problems.map((problem) => ({
      rule: problem.ruleId,
      severity: problem.severity === 'error' ? 'error' : 'warning',
      where: problem.location[0]?.pointer ?? '',
      message: problem.message,
    }));
    expect(findings).toEqual([]);
  });

  it('spectral lint (spectral:oas): no errors', async () => {
    const { stdout, stderr } = await runCli(cliEntry('@stoplight/spectral-cli', 'spectral'), [
      'lint', served.file, '--ruleset', config('spectral.yaml'), '--format', 'json', '--fail-severity', 'error', '--quiet',
    ]);
    const results = JSON.parse(stdout.slice(stdout.indexOf('['))) as { code: string; severity: number; message: string; path: string[] }[];
    expect(Array.isArray(results), stderr).toBe(true);
    const findings: Finding[] = results.map((result) => ({
      rule: result.code,
      severity: result.severity === 0 ? 'error' : 'warning',
      where: result.path.join('.'),
      message: result.message,
    }));
    expect(findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    // Only the advisory "operation has no description" may remain (summaries carry the meaning).
    expect(findings.filter((finding) => finding.rule !== 'operation-description')).toEqual([]);
  });
});
