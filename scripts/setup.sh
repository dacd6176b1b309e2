#!/usr/bin/env bash
# Installs what Backstop needs to build and test, idempotently. Safe to run again.
set -euo pipefail

packages=(libgeos-dev libproj-dev proj-data pkg-config libsqlite3-dev python3 python3-pip curl)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [ -x "$candidate/swift" ] && export PATH="$PATH:$candidate"
  done
fi
command -v swift >/dev/null 2>&1 || { echo "setup: a Swift 6.2+ toolchain must be on PATH (see README)" >&2; exit 1; }
