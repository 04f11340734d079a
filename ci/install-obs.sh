#!/bin/sh
# Puts obs (and promtool, for `obs test`) into a CI job. obs is not on PyPI: a bare
# `pip install obs` would fail, or install someone else's package. Either run the job in the
# obs image (built from obs's Dockerfile; then this script only checks it), or set OBS_PIP_SPEC
# to a pinned obs your team trusts:
#   OBS_PIP_SPEC='obs @ git+https://git.example.com/platform/obs.git@v0.1.0'   (a git tag)
#   OBS_PIP_SPEC='obs==0.1.0'  with PIP_INDEX_URL set to your internal index
# See docs/ci.md in the obs repository.
set -eu

if command -v obs >/dev/null 2>&1 && [ -z "${OBS_PIP_SPEC:-}" ]; then
  obs --version
  exit 0
fi
if [ -z "${OBS_PIP_SPEC:-}" ]; then
  echo "error: obs is not installed and OBS_PIP_SPEC is not set." >&2
  echo "  hint: set OBS_IMAGE to an image built from obs's Dockerfile, or OBS_PIP_SPEC to a pinned obs" >&2
  echo "        (a git URL with a tag, or obs==VERSION with PIP_INDEX_URL); obs is not on PyPI" >&2
  exit 1
fi
pinned=no
case "$OBS_PIP_SPEC" in
  *git+*) case "${OBS_PIP_SPEC##*/}" in *@?*) pinned=yes ;; esac ;;  # a tag: …/obs.git@v0.1.0
  *==*|*.whl|*.tar.gz) pinned=yes ;;
esac
if [ "$pinned" = no ]; then
  echo "error: OBS_PIP_SPEC='$OBS_PIP_SPEC' does not pin a version." >&2
  echo "  hint: name a git tag (obs @ git+https://…/obs.git@v0.1.0) or an exact version (obs==0.1.0)" >&2
  exit 1
fi
python3 -m pip install --disable-pip-version-check "$OBS_PIP_SPEC"
if ! command -v promtool >/dev/null 2>&1; then
  # `obs test` runs on promtool: Debian's and Ubuntu's prometheus package carries it.
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
obs --version
