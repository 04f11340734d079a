#!/usr/bin/env bash
# Fetches the minimal Elasticsearch and OpenSearch distributions (integ-test-zip) from Maven
# Central into .cache/search/ for the log-alert tests (tests/logs/) and `obs validate`'s search
# tests (tests/live/test_search_*): Elasticsearch 8 and OpenSearch 2, and Elasticsearch 7.17 and
# 9.x beside them (elasticsearch-7/, elasticsearch-9/). Idempotent: a version already unpacked is
# kept. The tests start them on 127.0.0.1 themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${OBS_CACHE:-$PWD/.cache}/search"
ES_VERSIONS="${OBS_ES_VERSIONS:-8.19.4 8.19.2 8.18.0 8.17.4}"
OS_VERSIONS="${OBS_OS_VERSIONS:-2.19.1 2.19.0 2.18.0}"
ES7_VERSIONS="${OBS_ES7_VERSIONS:-7.17.29 7.17.28 7.17.27}"
ES9_VERSIONS="${OBS_ES9_VERSIONS:-9.2.0 9.1.5 9.1.0}"
mkdir -p "$CACHE"

fetch() {  # group artifact dir-name versions...
  local group=$1 artifact=$2 name=$3; shift 3
  if [ -e "$CACHE/$name/bin/$artifact" ]; then echo "$name: $(cat "$CACHE/$name/.version")"; return 0; fi
  for v in "$@"; do
    if mvn -q -B dependency:copy -Dartifact="$group:$artifact:$v:zip" -DoutputDirectory="$CACHE" \
         -Dmdep.useBaseVersion=true >/dev/null 2>&1 && [ -f "$CACHE/$artifact-$v.zip" ]; then
      rm -rf "$CACHE/$name.tmp" && mkdir -p "$CACHE/$name.tmp"
      (cd "$CACHE/$name.tmp" && unzip -q "../$artifact-$v.zip")
      rm -rf "$CACHE/$name" && mv "$CACHE/$name.tmp/$artifact-$v" "$CACHE/$name" && rm -rf "$CACHE/$name.tmp"
      echo "$v" > "$CACHE/$name/.version"
      rm -f "$CACHE/$artifact-$v.zip"
      echo "$name: $v"
      return 0
    fi
    echo "$group:$artifact:$v did not resolve, trying the next version" >&2
  done
  echo "could not fetch $group:$artifact (tried $*)" >&2
  return 1
}

command -v mvn >/dev/null || { apt-get update -qq && apt-get install -y -qq maven >/dev/null; }
command -v java >/dev/null || { apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }
command -v unzip >/dev/null || { apt-get update -qq && apt-get install -y -qq unzip >/dev/null; }
fetch org.elasticsearch.distribution.integ-test-zip elasticsearch elasticsearch $ES_VERSIONS
fetch org.opensearch.distribution.integ-test-zip opensearch opensearch $OS_VERSIONS
fetch org.elasticsearch.distribution.integ-test-zip elasticsearch elasticsearch-7 $ES7_VERSIONS
fetch org.elasticsearch.distribution.integ-test-zip elasticsearch elasticsearch-9 $ES9_VERSIONS
# Elasticsearch 9 needs Java 21+; Debian 12 has only 17, the machines carry a Temurin JDK beside it
compgen -G "/usr/lib/jvm/temurin-[2-9][0-9]*" >/dev/null || compgen -G "/usr/lib/jvm/java-[2-9][0-9]-*" >/dev/null ||
  echo "warning: no Java 21+ in /usr/lib/jvm: Elasticsearch 9 (elasticsearch-9/) will not start" >&2
