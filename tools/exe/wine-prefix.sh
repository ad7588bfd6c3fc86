#!/usr/bin/env bash
# Create the Wine prefix the nat.exe tests run in (default build/wine), once: Wine 8.0's new prefix
# reports Windows 7, which Node refuses, so it is switched to Windows 10. The wineserver that
# wineboot starts is waited for (wineserver -w), not killed: it exits by itself when idle.
set -euo pipefail
PREFIX=$(realpath -m "${1:-build/wine}")
STAMP="$PREFIX/.nat-cni-ready"
[ -f "$STAMP" ] && exit 0
export WINEPREFIX="$PREFIX" WINEDEBUG=-all
mkdir -p "$PREFIX"
echo "tools/exe: creating the Wine prefix $PREFIX (once; about 20 s)" >&2
/usr/lib/wine/wine64 wineboot --init </dev/null >/dev/null 2>&1
/usr/lib/wine/wine64 winecfg -v win10 </dev/null >/dev/null 2>&1
/usr/lib/wine/wineserver -w
touch "$STAMP"
