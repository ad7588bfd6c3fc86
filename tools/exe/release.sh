#!/usr/bin/env bash
# Package dist/nat.exe for Windows users:
#   tools/exe/release.sh VERSION dist/release/nat-cni-VERSION-windows-amd64.zip
# The zip holds one folder, nat-cni-VERSION-windows-amd64\, with nat.exe, README.md (docs/windows.md),
# examples\ (a containerd conflist and nerdctl's) and SHA256SUMS of everything else.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -eq 2 ] || { echo "usage: $0 VERSION OUT.zip" >&2; exit 2; }
VERSION=$1
OUT=$(realpath -m "$2")
NAME=nat-cni-$VERSION-windows-amd64
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$NAME/examples"
cp dist/nat.exe "$stage/$NAME/nat.exe"
cp docs/windows.md "$stage/$NAME/README.md"
cp release/containerd-nat.conflist "$stage/$NAME/examples/containerd-nat.conflist"
cp test/fixtures/configs/nerdctl/nerdctl-nat.conflist "$stage/$NAME/examples/nerdctl-nat.conflist"
(cd "$stage/$NAME" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
# Same inputs, same bytes: fixed timestamps, no extra attributes, sorted entries.
find "$stage" -exec touch -h -d '2000-01-01T00:00:00Z' {} +
mkdir -p "$(dirname "$OUT")"
rm -f "$OUT.tmp"
(cd "$stage" && find "$NAME" | LC_ALL=C sort | zip -X -q -9 "$OUT.tmp" -@)
mv -f "$OUT.tmp" "$OUT"
echo "tools/exe: $OUT ($(stat -c %s "$OUT") bytes)" >&2
