#!/usr/bin/env bash
# Creates .cache/elastalert-venv with ElastAlert 2 in its own environment (it pins an old
# Elasticsearch client). 2.31 needs Python >= 3.12; on 3.11 we use 2.19.x, which also needs
# pytz. tests/logs/ load every generated rule with this venv's FileRulesLoader. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${OBS_CACHE:-$PWD/.cache}/elastalert-venv"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import elastalert.loaders" 2>/dev/null; then
  echo "elastalert: $("$VENV/bin/python" -m pip show elastalert2 2>/dev/null | sed -n 's/^Version: //p')"
  exit 0
fi
PY=""
for candidate in python3.13 python3.12 $(ls -d /root/.pyenv/versions/3.1[23]*/bin/python3 2>/dev/null); do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
    PY="$candidate"; break
  fi
done
rm -rf "$VENV"
if [ -n "$PY" ]; then
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "elastalert2>=2.31,<3"
else
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "elastalert2>=2.19,<2.20" pytz
fi
"$VENV/bin/python" -c "import elastalert.loaders"
echo "elastalert: $("$VENV/bin/python" -m pip show elastalert2 | sed -n 's/^Version: //p')"
