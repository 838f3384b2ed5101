#!/usr/bin/env bash
# First step of `npm start` / `npm test` on any machine: installs the project's npm dependencies (including its own
# Node 24, the `node` package) when they are missing or older than package-lock.json. Everything else (Docker,
# kind, Kubernetes, images) is installed and built by `kubequake cluster up`, which those commands run next.
set -euo pipefail
cd "$(dirname "$0")/.."
installed=node_modules/.package-lock.json
if [ ! -x node_modules/.bin/node ] || [ ! -f "$installed" ] || [ package-lock.json -nt "$installed" ]; then
  echo "[bootstrap] installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
for tool in go gcc; do
  command -v "$tool" >/dev/null || { echo "kubequake: '$tool' is not installed; the offline cluster build needs it.
  what to do: install it (Debian: apt-get install golang gcc libc6-dev; Go must be >= 1.24), then run again." >&2; exit 1; }
done
