/**
 * `mkdir -p` with a bound. Node 20's fs.mkdirSync(dir, { recursive: true }) never returns when a
 * parent exists but refuses children with ENOENT (procfs: `/proc/x`): it creates the parent
 * ("exists"), retries the child, gets ENOENT again, and so on for ever. Here each level is tried
 * at most twice, so the walk ends after at most two attempts per path component.
 */
import fs from 'node:fs';
import path from 'node:path';

export function makeDirsSync(dir: string, mode = 0o777): void {
  const target = path.resolve(dir);
  try {
    fs.mkdirSync(target, { mode });
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (fs.statSync(target).isDirectory()) return;
      throw e;
    }
    const parent = path.dirname(target);
    if (code !== 'ENOENT' || parent === target) throw e;
    makeDirsSync(parent, mode);
  }
  // The parent exists now: one more try, whose failure is final.
  try {
    fs.mkdirSync(target, { mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(target).isDirectory()) throw e;
  }
}
