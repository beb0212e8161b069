#!/usr/bin/env bash
# Records new public API in each library's PublicAPI.Unshipped.txt (the analyzers' own code fix).
# Run it after an intended change to the public surface, and review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/*/*.csproj; do
  dotnet format analyzers "$project" --diagnostics RS0016 RS0017 RS0037 --severity warn --no-restore >/dev/null 2>&1 || true
done
git diff --stat -- 'src/*/PublicAPI.*.txt'
