#!/usr/bin/env bash
# The README's test command: installs everything the tests need on a fresh Debian machine,
# then runs the whole suite. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if ! command -v promtool >/dev/null || ! command -v amtool >/dev/null || ! command -v kubectl >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq prometheus prometheus-alertmanager >/dev/null
  command -v kubectl >/dev/null || apt-get install -y -qq kubernetes-client >/dev/null || true
fi
python3 -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[test]"  # the versions the suite passed with
for setup in scripts/setup-*.sh; do
  [ -e "$setup" ] || continue
  echo "== $setup"
  bash "$setup"
done
exec python3 -m pytest -q "$@"
