#!/usr/bin/env bash
# Installs what Backstop needs to build and test, idempotently. Safe to run again.
set -euo pipefail

# Installs the Debian packages named that are not installed yet (with sudo when not root).
install_debian_packages() {
  local missing=() package sudo=""
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# libjemalloc-dev: the server links jemalloc as its allocator (see Package.swift).
install_debian_packages libgeos-dev libproj-dev proj-data pkg-config libsqlite3-dev libjemalloc-dev python3 python3-pip curl

if ! command -v swift >/dev/null 2>&1; then
  for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [ -x "$candidate/swift" ] && export PATH="$PATH:$candidate"
  done
fi
command -v swift >/dev/null 2>&1 || { echo "setup: a Swift 6.2+ toolchain must be on PATH (see README)" >&2; exit 1; }
