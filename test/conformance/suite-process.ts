/** Runs the conformance suite as users do: `node dist/conformance.js …` in its own process. */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const BUNDLE = path.join(ROOT, 'dist/conformance.js');

/** The bundle is a build product; make it (idempotently) before the first run. */
export function buildSuite(): void {
  execFileSync('make', ['-s', '-C', ROOT, 'dist/conformance.js'], { stdio: 'inherit' });
}

export interface CaseOutcome {
  id: string;
  status: 'PASS' | 'FAIL' | 'SKIP';
  reason?: string;
  step?: string;
  expected?: string;
  got?: string;
}

export interface SuiteRun {
  code: number | null;
  stdout: string;
  stderr: string;
  report?: { summary: { passed: number; failed: number; skipped: number; line: string }; cases: CaseOutcome[] };
}

export function runSuite(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<SuiteRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-test-'));
  const reportFile = path.join(dir, 'report.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...args, '--report', reportFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const report = fs.existsSync(reportFile)
        ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as SuiteRun['report'])
        : undefined;
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr, report });
    });
  });
}

export const statusOf = (run: SuiteRun, id: string): string | undefined =>
  run.report?.cases.find((c) => c.id === id)?.status;
