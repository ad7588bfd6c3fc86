#!/usr/bin/env bash
# Download a pinned release archive of tools/windows-ci/pins.json (PINS overrides the file) to DEST and
# check it: against the pinned sha256 when there is one, and against the publisher's checksum file
# (`sums`) when it names one. An archive with neither check passing never reaches DEST.
#   tools/windows-ci/fetch-verified.sh NAME DEST
# Runs in bash on Linux and in Git Bash on GitHub's Windows runners (curl, sha256sum, node).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PINS=${PINS:-$here/pins.json}
name=${1:?usage: fetch-verified.sh NAME DEST}
dest=${2:?usage: fetch-verified.sh NAME DEST}
fail() { echo "fetch-verified: $name: $*" >&2; exit 1; }

field() {
  node -e '
    const [file, name, key] = process.argv.slice(1);
    const a = JSON.parse(require("fs").readFileSync(file, "utf8")).archives[name];
    if (!a) { console.error(`no archive ${name} in ${file}`); process.exit(3); }
    process.stdout.write(String(a[key] ?? ""));
  ' "$PINS" "$name" "$1"
}

url=$(field url)
pin=$(field sha256 | tr 'A-F' 'a-f')
sums=$(field sums)
[ -n "$url" ] || fail "no url in $PINS"
[ -n "$pin" ] || [ -n "$sums" ] || fail "neither a pinned sha256 nor a checksum file in $PINS"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
file="$tmp/$(basename "$url")"
curl -fsSL --retry 3 -o "$file" "$url" || fail "cannot download $url"
got=$(sha256sum "$file" | cut -d' ' -f1)
echo "fetch-verified: $name $(field version): sha256 $got"

if [ -n "$sums" ]; then
  curl -fsSL --retry 3 -o "$tmp/sums" "$sums" || fail "cannot download the checksum file $sums"
  # Lines are "<sha256>  <file name>" (a single line may omit the name); a leading '*' marks binary mode.
  want=$(awk -v f="$(basename "$url")" '{ n = $2; sub(/^\*/, "", n); if (NF == 1 || n == f) { print tolower($1); exit } }' "$tmp/sums")
  [ -n "$want" ] || fail "$(basename "$url") is not listed in $sums"
  [ "$want" = "$got" ] || fail "sha256 $got does not match the publisher's $want ($sums)"
fi
if [ -n "$pin" ]; then
  [ "$pin" = "$got" ] || fail "sha256 $got does not match the pin $pin in $PINS"
else
  # GitHub Actions shows this as a warning on the run page.
  echo "::warning title=unpinned archive::$name: checked against the publisher's checksum file only; pin sha256 $got in tools/windows-ci/pins.json"
fi
mkdir -p "$(dirname "$dest")"
mv -f "$file" "$dest"
