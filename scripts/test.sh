#!/usr/bin/env bash
# The one command that runs every test (README): installs what is missing, type-checks, lints,
# then runs the whole suite (which builds the CLI first and checks generated files are fresh).
set -euo pipefail
cd "$(dirname "$0")/.."

# Install exactly the locked dependencies, unless this very lockfile is already installed.
if ! cmp -s package-lock.json node_modules/.tributary-installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.tributary-installed-lock
fi

# The connector tests run a real Kafka broker (Java 17 + Maven fetch its jars) and Redis; the
# test setup starts both (test/support/services.ts). Install what a fresh machine lacks.
need=()
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
command -v redis-server >/dev/null || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "the tests need ${need[*]}: install them (apt-get install ${need[*]}) and rerun" >&2
    exit 1
  fi
fi

echo "== type-check (runtime, electron, renderer, tests)"
npx tsc -p tsconfig.json --noEmit
echo "== lint (including the layering rule)"
npx eslint .
echo "== tests"
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
node scripts/test-summary.js test-results/vitest.json
exit "$status"
