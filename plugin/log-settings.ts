/**
 * `logFile` and `logLevel`, read once for both readers: the plugin's log, opened before the command's
 * config is parsed (a config too broken to parse must still be logged), and parseNatConfig, for which a
 * bad value is code 7. A relative `logFile` is never opened: runtimes start plugins in arbitrary folders
 * (C:\Windows\System32 under a containerd service), where the Go plugin's `wincni.log` ends up.
 */
import path from 'node:path';
import { getKey } from '../spec/keys';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogSettingProblem {
  field: 'logFile' | 'logLevel';
  reason: string;
}

export interface LogSettings {
  /** Absolute, or undefined (none set, or refused: see problems). */
  logFile: string | undefined;
  logLevel: LogLevel;
  problems: LogSettingProblem[];
}

export const isAbsoluteLogPath = (file: string): boolean => path.win32.isAbsolute(file) || path.posix.isAbsolute(file);

export function readLogSettings(raw: unknown): LogSettings {
  const problems: LogSettingProblem[] = [];
  const file = getKey(raw, 'logFile');
  let logFile: string | undefined;
  if (typeof file === 'string' && file !== '') {
    if (isAbsoluteLogPath(file)) logFile = file;
    else problems.push({ field: 'logFile', reason: `"${file}" is not an absolute path` });
  } else if (file !== undefined && file !== null && file !== '') {
    problems.push({
      field: 'logFile',
      reason: `expected a string, got ${Array.isArray(file) ? 'array' : typeof file}`,
    });
  }
  const level = getKey(raw, 'logLevel');
  let logLevel: LogLevel = 'info';
  if (typeof level === 'string' && level !== '') {
    const folded = level.toLowerCase() === 'warning' ? 'warn' : level.toLowerCase();
    const found = LOG_LEVELS.find((l) => l === folded);
    if (found) logLevel = found;
    else problems.push({ field: 'logLevel', reason: `"${level}" is not one of ${LOG_LEVELS.join(', ')}` });
  } else if (level !== undefined && level !== null && level !== '') {
    problems.push({
      field: 'logLevel',
      reason: `expected a string, got ${Array.isArray(level) ? 'array' : typeof level}`,
    });
  }
  return { logFile, logLevel, problems };
}
