#!/usr/bin/env bash
# The one command that runs every test (README): installs what is missing, type-checks, lints,
# then runs the whole suite (which builds the CLI and the editor first and checks generated files
# are fresh), then the end-to-end tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

# Install exactly the locked dependencies, unless this very lockfile is already installed.
if ! cmp -s package-lock.json node_modules/.tributary-installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.tributary-installed-lock
fi

# The connector tests run a real Kafka broker (Java 17 + Maven fetch its jars) and Redis (the test
# setup starts both: test/support/services.ts); the cep tests compare with Flink's own CepOperator
# (Maven fetches it, javac compiles test/support/flink-cep); the Flink tests (test/flink) build the
# job in flink/ the same way, once per version of its sources (cached in ~/.m2/tributary), and run
# it in MiniClusters and on a two-process session cluster; the end-to-end tests drive Debian's
# Chromium (Playwright cannot download its own browsers here). Install what a fresh machine lacks.
need=()
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "== type-check (runtime, electron, tests; then the renderer with DOM and JSX)"
npx tsc -p tsconfig.json --noEmit
npx tsc -p renderer/tsconfig.json --noEmit
echo "== lint (including the layering rule)"
npx eslint .
echo "== tests"
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
echo "== end-to-end tests (Chromium)"
# vitest's setup has just built the CLI and the editor the studio serves.
npx playwright test || status=$?
node scripts/test-summary.js test-results/vitest.json test-results/playwright.json
exit "$status"
