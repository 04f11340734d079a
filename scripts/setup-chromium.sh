#!/usr/bin/env bash
# Debian's chromium (headless) for the backtest HTML report test (tests/backtest/test_backtest_html.py):
# the page must load in a real browser without console errors. Idempotent; the test skips without it.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v chromium >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
chromium --version
