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

echo "== type-check (runtime, electron, tests; then the renderer with DOM and JSX)"
npx tsc -p tsconfig.json --noEmit
npx tsc -p renderer/tsconfig.json --noEmit
echo "== lint (including the layering rule)"
npx eslint .
echo "== tests"
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
node scripts/test-summary.js test-results/vitest.json
exit "$status"
