#!/usr/bin/env bash
# The steps of obsdebt's GitHub Action (action.yml), runnable anywhere: the parts that need
# GitHub (uploading SARIF, posting the comment) are separate modes or steps of the action.
#
#   action.sh report   base report, SARIF, the markdown comment; outputs and step summary
#   action.sh comment  post or update the one sticky pull-request comment (needs `gh` and a token)
#   action.sh gate     annotations for new findings, then fail on the configured gates
#
# Environment: OBSDEBT (the binary, default `obsdebt`), OBSDEBT_PATHS (default `.`),
# OBSDEBT_BASE (the base commit; empty outside pull requests), OBSDEBT_FAIL_UNDER (optional),
# OBSDEBT_OUT (where files go, default $RUNNER_TEMP or /tmp), GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY; for `comment`: GH_TOKEN, GITHUB_REPOSITORY, OBSDEBT_PR.
set -euo pipefail

obsdebt="${OBSDEBT:-obsdebt}"
read -r -a paths <<< "${OBSDEBT_PATHS:-.}"
base="${OBSDEBT_BASE:-}"
out="${OBSDEBT_OUT:-${RUNNER_TEMP:-/tmp}}/obsdebt"
mkdir -p "$out"
marker='<!-- obsdebt-comment -->'

# A base report exists only when the base commit is there (a full clone: fetch-depth: 0).
have_base() {
  [ -n "$base" ] && git cat-file -e "$base^{commit}" 2>/dev/null
}

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1=$2" >> "$GITHUB_OUTPUT"; fi
}

case "${1:-}" in
  report)
    compare=()
    if have_base; then
      rm -rf "$out/base"
      git worktree add --force --detach "$out/base" "$base" > /dev/null
      (cd "$out/base" && "$obsdebt" check "${paths[@]}" --output-format json --output "$out/base.json" --exit-zero)
      git worktree remove --force "$out/base"
      compare=(--baseline "$out/base.json" --diff-base "$base")
    fi
    "$obsdebt" check "${paths[@]}" --output-format sarif --output "$out/obsdebt.sarif" --exit-zero
    "$obsdebt" check "${paths[@]}" "${compare[@]}" --output-format json --output "$out/obsdebt.json" --exit-zero
    "$obsdebt" check "${paths[@]}" "${compare[@]}" --output-format markdown --output "$out/body.md" --exit-zero
    { echo "$marker"; cat "$out/body.md"; } > "$out/comment.md"
    # The numbers, for later steps and other jobs.
    coverage=$(sed -n 's/^\*\*Logging coverage: \([0-9.]*%\|n\/a\).*/\1/p' "$out/body.md" | head -n 1)
    patch=$(sed -n 's/^\*\*Patch coverage (lines changed since [^)]*): \([0-9.]*%\|n\/a\).*/\1/p' "$out/body.md" | head -n 1)
    output coverage "${coverage:-n/a}"
    output patch-coverage "${patch:-n/a}"
    output sarif "$out/obsdebt.sarif"
    output comment "$out/comment.md"
    # The step summary shows the report on every run, fork pull requests included.
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$out/body.md" >> "$GITHUB_STEP_SUMMARY"; fi
    ;;
  comment)
    : "${GITHUB_REPOSITORY:?}" "${OBSDEBT_PR:?}"
    id=$(gh api "repos/$GITHUB_REPOSITORY/issues/$OBSDEBT_PR/comments" --paginate \
      --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)
    if [ -n "$id" ]; then
      gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F "body=@$out/comment.md" > /dev/null
    else
      gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$OBSDEBT_PR/comments" -F "body=@$out/comment.md" > /dev/null
    fi
    ;;
  gate)
    args=(--output-format github)
    if have_base && [ -f "$out/base.json" ]; then args+=(--baseline "$out/base.json" --diff-base "$base"); fi
    if [ -n "${OBSDEBT_FAIL_UNDER:-}" ]; then args+=(--fail-under "$OBSDEBT_FAIL_UNDER"); fi
    # GITHUB_STEP_SUMMARY already has the report: the github format would append it again.
    GITHUB_STEP_SUMMARY='' "$obsdebt" check "${paths[@]}" "${args[@]}"
    ;;
  *)
    echo "usage: action.sh report|comment|gate" >&2
    exit 2
    ;;
esac
