/**
 * The two calls a plugin answers without its handlers: VERSION (the versions it speaks) and a call
 * with no CNI_COMMAND (the about text on stderr, as Go's skel prints it). skel's dispatch answers them
 * through here, and so can a plugin's start-up code that must answer them before loading anything
 * else (nat-cni: plugin/start.ts). Nothing here reaches the codecs or the handlers' modules.
 */
import { fstatSync } from 'node:fs';
import { getKey } from './getkey';
import { log } from './log';
import { decodeConfigJson, readStdinSync, writeAllSync } from './stdin';
import { versionAnswer } from './version';
import type { CniVersion } from './versions';

export interface ProbeInfo {
  supportedVersions: readonly CniVersion[];
  about?: string | undefined;
}

/** What a call writes and how it exits. */
export interface CallOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The about text with the versions spoken, as Go's skel prints it (and nat-cni's `--version`). */
export const aboutText = (plugin: ProbeInfo & { about: string }): string =>
  `${plugin.about}\nCNI protocol versions supported: ${plugin.supportedVersions.join(', ')}\n`;

/** The answer to VERSION, or to no CNI_COMMAND when there is an about text; undefined for any other call. */
export function probeAnswer(
  plugin: ProbeInfo,
  command: string | undefined,
  readStdin: () => Buffer,
): CallOutput | undefined {
  const { about } = plugin;
  if ((command ?? '') === '' && about !== undefined && about !== '') {
    return { stdout: '', stderr: aboutText({ ...plugin, about }), exitCode: 0 };
  }
  if (command === 'VERSION') {
    return { stdout: `${JSON.stringify(answerVersion(plugin, readStdin))}\n`, stderr: '', exitCode: 0 };
  }
  return undefined;
}

function answerVersion(plugin: ProbeInfo, readStdin: () => Buffer) {
  let requested: string | undefined;
  try {
    const v = getKey(decodeConfigJson(readStdin()), 'cniVersion');
    if (typeof v === 'string') requested = v;
  } catch (e) {
    // Go's skel ignores stdin for VERSION, so nothing there may turn VERSION into an error.
    log('VERSION: ignoring unreadable stdin: %s', e instanceof Error ? e.message : String(e));
  }
  return versionAnswer(requested, plugin.supportedVersions);
}

/** A terminal is a character device: a pipe or a file (the usual stdin) never needs node:tty. */
async function isatty(fd: number): Promise<boolean> {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    // Let node:tty answer.
  }
  return (await import('node:tty')).isatty(fd);
}

/**
 * VERSION's stdin as a process reads it: nothing from a terminal, where Go would never wait for
 * typed input, else all of fd 0.
 */
export async function versionStdin(): Promise<() => Buffer> {
  const tty = await isatty(0);
  return () => (tty ? Buffer.alloc(0) : readStdinSync(0));
}

/** Write a call's output with synchronous fd writes (stderr first) and set the exit code. */
export function writeCallOutput(out: CallOutput): void {
  try {
    if (out.stderr !== '') writeAllSync(2, out.stderr);
    if (out.stdout !== '') writeAllSync(1, out.stdout);
  } finally {
    process.exitCode = out.exitCode;
  }
}

/** In a process: answer the call if it is a probe; false when the plugin's handlers are needed. */
export async function runProbe(plugin: ProbeInfo): Promise<boolean> {
  const command = process.env.CNI_COMMAND;
  if (command !== undefined && command !== '' && command !== 'VERSION') return false;
  const out = probeAnswer(plugin, command, await versionStdin());
  if (!out) return false;
  writeCallOutput(out);
  return true;
}
