#!/usr/bin/env bash
# Records new public API in each library's PublicAPI.Unshipped.txt, from the analyzer's own diagnostics (RS0016:
# a public symbol not declared yet). Run it after an intended change to the public surface, and review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/*/*.csproj; do
  dir=$(dirname "$project")
  dotnet build "$project" -c Release -p:TreatWarningsAsErrors=false 2>/dev/null \
    | grep -F "$dir/" | grep -F 'RS0016' \
    | sed -n "s/.*Symbol '\(.*\)' is not part of the declared public API.*/\1/p" \
    | sort -u >> "$dir/PublicAPI.Unshipped.txt" || true
  # Keep the file sorted and free of duplicates (the first line is the nullable marker).
  { head -n 1 "$dir/PublicAPI.Unshipped.txt"; tail -n +2 "$dir/PublicAPI.Unshipped.txt" | LC_ALL=C sort -u; } > "$dir/PublicAPI.tmp"
  mv "$dir/PublicAPI.tmp" "$dir/PublicAPI.Unshipped.txt"
done
git diff --stat -- 'src/*/PublicAPI.*.txt'
