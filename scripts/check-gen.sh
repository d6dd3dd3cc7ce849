#!/usr/bin/env bash
# Fails when the committed generated code (gen/, docs/api.md) differs from what `buf generate` makes from proto/:
# stale generated code compiles and ships a contract nobody wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/generate.sh
changes=$(git status --porcelain -- gen docs/api.md)
if [ -n "$changes" ]; then
  echo "Generated code is stale: run 'bash scripts/generate.sh' (npm run generate) and commit the result." >&2
  echo "$changes" >&2
  git --no-pager diff --stat -- gen docs/api.md >&2
  exit 1
fi
echo "gen/ is fresh"
