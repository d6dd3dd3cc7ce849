#!/usr/bin/env bash
# Fails when proto/ breaks wire or JSON compatibility with the previously landed state (buf.yaml's breaking rules:
# FILE, plus FIELD_SAME_JSON_NAME etc. that it implies; vendored grpc/google protos ignored).
#
# What to compare against: CI runs on a clean clone of main, where "the previous landed state" is the first parent
# of HEAD (HEAD~1; for a merge commit that is main before the merge). Comparing against `main` itself would compare
# HEAD with HEAD and catch nothing. On a branch, set BREAKING_AGAINST=origin/main (or any ref) to compare with it.
# The check passes, with a notice, when there is nothing to compare with: the first commit, a shallow clone without
# the parent (fetch with depth >= 2), or a parent that has no proto/ yet.
#
# A deliberate break (clients of ibrpc.v1 will fail) must say so in the commit message with a trailer line
# `Breaking-Change: <why>`; the check then reports the breakage but does not fail.
set -euo pipefail
cd "$(dirname "$0")/.."

against="${BREAKING_AGAINST:-HEAD~1}"
if ! git rev-parse --verify --quiet "${against}^{commit}" >/dev/null; then
  echo "check-breaking: no ${against} to compare with (first commit or shallow clone): skipped"
  exit 0
fi
if ! git cat-file -e "${against}:proto" 2>/dev/null; then
  echo "check-breaking: ${against} has no proto/: skipped"
  exit 0
fi

echo "check-breaking: proto/ against ${against} ($(git rev-parse --short "${against}"))"
if npx buf breaking --against ".git#ref=$(git rev-parse "${against}")"; then
  echo "check-breaking: no breaking changes"
  exit 0
fi
if git log -1 --format=%B HEAD | grep -q '^Breaking-Change: '; then
  echo "check-breaking: breaking changes above are declared by HEAD's Breaking-Change trailer: allowed" >&2
  exit 0
fi
echo "check-breaking: breaking changes (see above). Keep ibrpc.v1 compatible, or declare the break with a" >&2
echo "'Breaking-Change: <why>' trailer in the commit message." >&2
exit 1
