/**
 * `nat.exe uninstall`: undo what the install record says install did, and only that. A file that
 * changed since install is left where it is (and whatever it replaced stays aside), so nothing
 * someone wrote afterwards is lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseOptions, type OptionSpec } from './args';
import type { Io } from './io';
import { resolvePaths } from './paths';
import { readRecord, recordPath } from './record';
import { fileHash } from './self';

export const UNINSTALL_OPTIONS: OptionSpec[] = [
  {
    name: 'bin-dir',
    value: 'DIR',
    help: 'the CNI binary folder install used (default: from config.toml, else C:\\Program Files\\containerd\\cni\\bin)',
  },
  {
    name: 'config-toml',
    value: 'FILE',
    help: "containerd's config (default C:\\Program Files\\containerd\\config.toml)",
  },
  { name: 'dry-run', help: 'print every change, make none' },
];

export function runUninstall(args: string[], io: Io): number {
  const o = parseOptions('uninstall', args, UNINSTALL_OPTIONS);
  if (o.help) return io.help('uninstall');
  const dryRun = o.switches.has('dry-run');
  // conf-dir is not needed: the record names every file by its full path.
  const paths = resolvePaths(
    'uninstall',
    'containerd',
    { binDir: o.values.get('bin-dir'), confDir: '-', configToml: o.values.get('config-toml') },
    io.env,
    io.platform,
  );
  const record = readRecord(paths.binDir);
  if (record === undefined) {
    io.err(
      `nat.exe uninstall: no install record (${recordPath(paths.binDir)}): nothing that nat.exe install did is known here`,
    );
    return 1;
  }
  const say = (line: string) => io.out(line);
  const would = (done: string, todo: string) => (dryRun ? todo : done);
  say(
    `nat-cni uninstall${dryRun ? ' (dry run: nothing is changed)' : ''}: network "${record.network}", runtime ${record.runtime}`,
  );
  let kept = 0;
  const stillThere = new Set<string>();
  /** What this run removes (or would): a folder holding only these is empty. */
  const gone = new Set<string>();
  for (const f of [...record.files].reverse()) {
    const hash = fileHash(f.path);
    if (hash === undefined) {
      say(`already gone ${f.path}`);
    } else if (hash !== f.sha256) {
      say(`kept ${f.path}: it changed after install (remove it yourself if it is not needed)`);
      stillThere.add(f.path);
      kept++;
    } else {
      if (!dryRun) fs.rmSync(f.path);
      gone.add(f.path);
      say(`${would('removed', 'would remove')} ${f.path}`);
    }
  }
  for (const m of [...record.moved].reverse()) {
    if (fileHash(m.to) !== m.sha256) {
      say(`cannot restore ${m.from}: ${m.to} is gone or changed`);
      kept++;
    } else if (stillThere.has(m.from) || fs.existsSync(m.from)) {
      say(`left ${m.to} aside: ${m.from} is in use by a file changed after install`);
      kept++;
    } else {
      if (!dryRun) fs.renameSync(m.to, m.from);
      gone.add(m.to);
      say(`${would('restored', 'would restore')} ${m.from} (from ${m.to})`);
    }
  }
  const rec = recordPath(paths.binDir);
  if (!dryRun) fs.rmSync(rec, { force: true });
  say(`${would('removed', 'would remove')} the install record ${rec}`);
  gone.add(rec);
  for (const d of [...record.folders].reverse()) {
    if (!fs.existsSync(d)) continue;
    // A folder is removed only when empty: what others put in it stays.
    const left = fs.readdirSync(d).filter((e) => !gone.has(path.join(d, e)));
    if (left.length > 0) {
      say(`kept folder ${d} (not empty)`);
      continue;
    }
    if (!dryRun) fs.rmdirSync(d);
    gone.add(d);
    say(`${would('removed', 'would remove')} folder ${d}`);
  }
  if (kept > 0) say(`${kept} item(s) were left as they are (see above).`);
  if (!dryRun) say('Restart containerd (Restart-Service containerd) so that it forgets the network configuration.');
  return 0;
}
