/**
 * The CNI folders a containerd `config.toml` names. Only what we need of TOML: table headers, and
 * `bin_dir` / `bin_dirs` / `conf_dir` string (or string array) values inside the CRI plugin's `cni` table:
 *   containerd 1.x (config version 2):  [plugins."io.containerd.grpc.v1.cri".cni]
 *   containerd 2.x (config version 3):  [plugins."io.containerd.cri.v1.runtime".cni]
 * containerd 2.1 deprecated `bin_dir` for the list `bin_dirs` (its CRI config migration writes
 * `bin_dirs = [...]`); the first entry is where a plugin is looked up first.
 */

export interface ContainerdCniDirs {
  binDir?: string;
  confDir?: string;
  /** The table the values came from, for the operator. */
  table?: string;
}

const CNI_TABLES = ['plugins.io.containerd.grpc.v1.cri.cni', 'plugins.io.containerd.cri.v1.runtime.cni'];

/** A table header with its key quoting removed: `[plugins.'io.containerd.cri.v1.runtime'.cni]`. */
const tableName = (header: string): string => header.replace(/\s+/g, '').replace(/["']/g, '');

/** A TOML basic ("…", with escapes) or literal ('…') string at the start of `text`. */
function readString(text: string): { value: string; rest: string } | undefined {
  const t = text.trimStart();
  if (t.startsWith("'")) {
    const end = t.indexOf("'", 1);
    return end < 0 ? undefined : { value: t.slice(1, end), rest: t.slice(end + 1) };
  }
  if (!t.startsWith('"')) return undefined;
  let value = '';
  for (let i = 1; i < t.length; i++) {
    const c = t[i] as string;
    if (c === '"') return { value, rest: t.slice(i + 1) };
    if (c !== '\\') {
      value += c;
      continue;
    }
    const next = t[++i];
    const simple: Record<string, string> = { '\\': '\\', '"': '"', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
    if (next !== undefined && simple[next] !== undefined) value += simple[next];
    else if (next === 'u' || next === 'U') {
      const len = next === 'u' ? 4 : 8;
      value += String.fromCodePoint(parseInt(t.slice(i + 1, i + 1 + len), 16));
      i += len;
    } else return undefined;
  }
  return undefined;
}

function readValue(text: string): string | string[] | undefined {
  const t = text.trimStart();
  if (!t.startsWith('[')) return readString(t)?.value;
  const items: string[] = [];
  let rest = t.slice(1);
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith(']')) return items;
    const s = readString(rest);
    if (s === undefined) return items;
    items.push(s.value);
    rest = s.rest.trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1);
  }
}

export function cniDirsFromToml(text: string): ContainerdCniDirs {
  const found: ContainerdCniDirs = {};
  let table = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      table = tableName(header[1] as string);
      continue;
    }
    if (!CNI_TABLES.includes(table)) continue;
    const kv = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const value = readValue(kv[2] as string);
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined || first === '') continue;
    if (kv[1] === 'conf_dir') found.confDir = first;
    else if (kv[1] === 'bin_dirs' || (kv[1] === 'bin_dir' && found.binDir === undefined)) found.binDir = first;
    else continue;
    found.table = `[${table.replace(/^plugins\.(.*)\.cni$/, 'plugins."$1".cni')}]`;
  }
  return found;
}
