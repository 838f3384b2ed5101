#!/usr/bin/env bash
# Builds the demo backend/frontend/prober image (one static Go binary; vegeta's library for load) FROM scratch: $1 = image, $2 = scratch dir.
set -euo pipefail
image=$1 work=$2
src=$(cd "$(dirname "$0")/../../images/demo" && pwd)
mkdir -p "$work/ctx"
(cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$work/ctx/demo" .)
printf 'FROM scratch\nCOPY demo /demo\nUSER 65532:65532\nEXPOSE 8080\nENTRYPOINT ["/demo"]\n' > "$work/ctx/Dockerfile"
docker build -q -t "$image" "$work/ctx" >/dev/null
rm -rf "$work/ctx"
echo "image $image"
