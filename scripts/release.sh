#!/usr/bin/env bash
# release.sh builds the arazzo release binaries: static (CGO_ENABLED=0), reproducible (-trimpath, an empty
# build id, no VCS stamping that depends on the checkout's state) builds for linux, darwin and windows on
# amd64 and arm64, with the version and the commit stamped into `arazzo version` through -ldflags -X, and
# a SHA256SUMS file that `sha256sum -c SHA256SUMS` checks.
#
#   scripts/release.sh VERSION [OUTDIR]        OUTDIR defaults to dist/
#
# Environment:
#   RELEASE_PLATFORMS   space-separated GOOS/GOARCH list (default: the six above); the test builds the
#                       host platform only.
#   RELEASE_COMMIT      the commit to stamp (default: `git rev-parse HEAD`, "unknown" outside a checkout).
#
# Two runs from the same commit with the same Go version give byte-identical files: nothing in the build
# depends on the path, the time or the user.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && exit 0
  exit 2
fi
version=$1
case $version in
  v[0-9]*) ;;
  *) echo "release.sh: VERSION must look like v1.2.3, got '$version'" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$root/dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)
commit=${RELEASE_COMMIT:-$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)}
platforms=${RELEASE_PLATFORMS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"}

cd "$root"
files=()
for p in $platforms; do
  goos=${p%/*} goarch=${p#*/}
  name="arazzo_${version#v}_${goos}_${goarch}"
  [ "$goos" = windows ] && name+=.exe
  echo "build $name" >&2
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch GOFLAGS=-mod=readonly \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -buildid= -X main.version=$version -X main.commit=$commit" \
      -o "$out/$name" ./cmd/arazzo
  files+=("$name")
done
cd "$out"
if command -v sha256sum >/dev/null; then
  sha256sum "${files[@]}" > SHA256SUMS
else
  shasum -a 256 "${files[@]}" > SHA256SUMS
fi
echo "wrote ${#files[@]} binaries and SHA256SUMS to $out" >&2
