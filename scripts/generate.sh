#!/usr/bin/env bash
# Regenerates gen/ and docs/api.md from proto/. gen/ is removed first so that the code of a deleted proto file does
# not linger (buf.gen.yaml cannot use `clean: true`: it would delete docs/ with the hand-written docs in it).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf gen
npx buf generate
