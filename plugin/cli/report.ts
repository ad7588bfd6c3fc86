/**
 * Doctor's checks and how they are shown: one line per check with a mark, the details under it, and
 * the command that fixes it. Windows consoles do not all have the glyphs ✓ and ✗ (conhost's raster and
 * Consolas fonts show boxes, and a redirected stdout is read in the OEM code page), so on Windows, and
 * with --ascii, the marks are words.
 */
export const MARKS = ['ok', 'warn', 'fail', 'skip', 'info'] as const;
export type Mark = (typeof MARKS)[number];

export interface Check {
  id: string;
  mark: Mark;
  title: string;
  details: string[];
  fix?: string;
}

const GLYPHS: Record<Mark, string> = { ok: '✓', warn: '!', fail: '✗', skip: '-', info: 'i' };
const WORDS: Record<Mark, string> = { ok: '[ OK ]', warn: '[WARN]', fail: '[FAIL]', skip: '[SKIP]', info: '[INFO]' };

export const isProblem = (c: Check): boolean => c.mark === 'warn' || c.mark === 'fail';

export function formatChecks(checks: readonly Check[], ascii: boolean): string[] {
  const lines: string[] = [];
  const pad = ascii ? '       ' : '  ';
  for (const c of checks) {
    lines.push(`${ascii ? WORDS[c.mark] : GLYPHS[c.mark]} ${c.title}`);
    for (const d of c.details) lines.push(`${pad}${d}`);
    if (c.fix) lines.push(`${pad}fix: ${c.fix}`);
  }
  const problems = checks.filter(isProblem).length;
  lines.push('');
  lines.push(
    problems === 0
      ? 'No problems found.'
      : `${problems} problem(s) found: run the fix commands above, then nat.exe doctor again.`,
  );
  return lines;
}

export const checksJson = (checks: readonly Check[], fixed: readonly string[]): string =>
  JSON.stringify({ ok: !checks.some(isProblem), problems: checks.filter(isProblem).length, checks, fixed }, null, 2);
