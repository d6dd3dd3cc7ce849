#!/usr/bin/env bash
# Fails when proto/ breaks wire or JSON compatibility with the accepted contract (buf.yaml's breaking rules: FILE,
# which includes FIELD_SAME_JSON_NAME; vendored grpc/google protos ignored).
#
# What to compare against: the commit named in .ci/proto-baseline, the last contract we accepted. Comparing with a
# fixed baseline, not with HEAD~1, catches a break made in any commit of a submission, not only in its last one, and
# it works on a clean clone of main where "main" is HEAD itself. BREAKING_AGAINST=<ref> overrides it (a branch can
# compare with origin/main).
#
# A deliberate break (clients of ibrpc.v1 will fail): move .ci/proto-baseline to the breaking commit in the same
# change, and say why in the commit message. The check passes, with a notice, when the baseline commit is not in the
# clone (shallow clone).
set -euo pipefail
cd "$(dirname "$0")/.."

against="${BREAKING_AGAINST:-$(grep -v '^#' .ci/proto-baseline | head -n 1 | tr -d '[:space:]')}"
if ! git rev-parse --verify --quiet "${against}^{commit}" >/dev/null; then
  echo "check-breaking: ${against} is not in this clone (shallow?): skipped"
  exit 0
fi

echo "check-breaking: proto/ against ${against} ($(git rev-parse --short "${against}"))"
# The proto/ module against the baseline's proto/ directory. The vendored grpc protos moved from proto/grpc to
# third_party/proto (stubs generated from proto/ must not form a Python `grpc` package): excluded on both sides.
if npx buf breaking proto --against ".git#ref=$(git rev-parse "${against}"),subdir=proto" --exclude-path grpc; then
  echo "check-breaking: no breaking changes"
  exit 0
fi
echo "check-breaking: breaking changes (see above). Keep ibrpc.v1 compatible, or make the break deliberate by" >&2
echo "moving .ci/proto-baseline to this commit and saying why in the commit message." >&2
exit 1
