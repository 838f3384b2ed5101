#!/usr/bin/env bash
# Installs Debian packages that are missing: apt-install.sh PACKAGE… (a command of the same name is checked first).
# A new machine has empty package lists, so `apt-get update` runs once when an install finds nothing to install.
set -euo pipefail
missing=()
for package in "$@"; do command -v "$package" >/dev/null 2>&1 || missing+=("$package"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "kubequake: needs ${missing[*]}, and installing them needs root (you are $(id -un))." >&2
  echo "  what to do: sudo apt-get install ${missing[*]}, then run again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "[apt] installing ${missing[*]}" >&2
apt-get install -y -qq "${missing[@]}" >&2 2>/dev/null || {
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" >&2
}
