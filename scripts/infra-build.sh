#!/usr/bin/env bash
# npm run infra:build: compiles infra/main.bicep (and its modules) with the pinned Bicep
# CLI and runs its linter, with warnings as errors. infra/bicepconfig.json raises every
# linter rule to error; this script also fails on any compiler warning (BCPxxx), which no
# configuration can raise. Installs the CLI first if needed (scripts/ensure-bicep.sh).
# The compiled ARM template is left in .tools/infra/main.json.
set -euo pipefail
cd "$(dirname "$0")/.."

bicep=$(bash scripts/ensure-bicep.sh)
mkdir -p .tools/infra
rm -f .tools/infra/main.json
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
"$bicep" build infra/main.bicep --outfile .tools/infra/main.json > "$log" 2>&1 || status=1
"$bicep" lint infra/main.bicep >> "$log" 2>&1 || status=1
# Each diagnostic is a line "<file>(line,col) : <Level> <code>: <message>"; report each once.
diagnostics=$(grep -E '\) : (Error|Warning|Info) ' "$log" | sort -u || true)
other=$(grep -vE '\) : (Error|Warning|Info) ' "$log" || true)

[ -z "$other" ] || echo "$other" >&2
if [ -n "$diagnostics" ]; then
  echo "$diagnostics" >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "infra:build: FAILED ($("$bicep" --version))" >&2
  exit 1
fi
echo "infra:build: infra/main.bicep compiles and lints clean ($("$bicep" --version))"
