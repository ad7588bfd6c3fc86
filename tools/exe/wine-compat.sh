#!/usr/bin/env bash
# Make a copy of nat.exe that starts under Wine 8.0 (Debian 12), for the tests only:
#   tools/exe/wine-compat.sh dist/nat.exe build/exe/nat-wine.exe
# Node 24's V8 reserves its pointer tables with VirtualAlloc2(MEM_RESERVE_PLACEHOLDER), which Wine
# 8.0 rejects ("called with wrong alloc type flags"), and dies with "Fatal process out of memory:
# SegmentedTable::InitializeTable (subspace allocation)". V8 looks VirtualAlloc2 up by name at run
# time and, where it is missing (Windows 8.1), uses emulated subspaces instead. Renaming that one
# lookup string makes it take that path. Nothing else changes: the shipped dist/nat.exe is untouched.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 IN.exe OUT.exe" >&2; exit 2; }
node -e '
  const fs = require("fs");
  const [inp, out] = process.argv.slice(1);
  const data = fs.readFileSync(inp);
  const from = Buffer.from("VirtualAlloc2\0", "latin1"), to = Buffer.from("VirtualAllocX\0", "latin1");
  const at = data.indexOf(from);
  if (at < 0 || data.indexOf(from, at + 1) >= 0) { console.error(`${inp}: expected exactly one "VirtualAlloc2" string`); process.exit(1); }
  to.copy(data, at);
  fs.writeFileSync(out + ".tmp", data);
  fs.renameSync(out + ".tmp", out);
' "$1" "$2"
