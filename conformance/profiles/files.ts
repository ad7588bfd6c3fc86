/** Reading a state folder as a list of files, for profiles whose plugin keeps its state in files. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StateFile {
  rel: string;
  content: string;
}

export function listStateFiles(root: string): StateFile[] {
  const out: StateFile[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) {
        let content = '';
        try {
          content = fs.readFileSync(full, 'utf8');
        } catch {
          // A file that vanished between listing and reading belongs to a concurrent call.
        }
        out.push({ rel: path.relative(root, full), content });
      }
    }
  };
  walk(root);
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}
