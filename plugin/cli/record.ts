/**
 * The install record, `nat-cni-install.json` beside the installed binary: what install created,
 * wrote and moved aside, with the SHA-256 of each file as written, so that uninstall undoes exactly
 * that and never removes or overwrites a file someone changed afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as z from '../../spec/zod';

export const RECORD_FILE = 'nat-cni-install.json';

const RecordSchema = z.object({
  format: z.literal(1),
  runtime: z.string(),
  network: z.string(),
  /** Folders install created, outermost first. */
  folders: z.array(z.string()),
  /** Files install wrote, with their hash as written. */
  files: z.array(z.object({ path: z.string(), sha256: z.string() })),
  /** Files install moved aside (`from` to `to`) before writing its own, with their hash. */
  moved: z.array(z.object({ from: z.string(), to: z.string(), sha256: z.string() })),
});
export type InstallRecord = z.infer<typeof RecordSchema>;

export const recordPath = (binDir: string): string => path.join(binDir, RECORD_FILE);

export function readRecord(binDir: string): InstallRecord | undefined {
  const file = recordPath(binDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = RecordSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`${file} is not an install record of nat-cni: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

export const formatRecord = (r: InstallRecord): string => `${JSON.stringify(r, null, 2)}\n`;
