#!/usr/bin/env bash
# The commands of the example CI workflow (docs/ci/multipager.yml; docs/ci.md):
# model-check the spec, check that the kernel refines it, and on a violation
# render every counterexample as Markdown for the pull request.
#
# Writes into $MULTIPAGER_OUT (default multipager-out): check.json and
# refine.json (the JSON reports), the counterexamples' ITF files, and
# summary.md (a verdict line per command, then each counterexample as
# `multipager trace show F --format md` renders it); appends summary.md to
# $GITHUB_STEP_SUMMARY when that is set.
#
# Exit: 0 when both commands find nothing, else the first non-zero exit code
# (12 invariant or refinement obligation, 13 liveness, 11 deadlock, 152
# budget, 2 or 151 a bad argument or file), so the job fails on a violation.
#
# Settings (environment): MULTIPAGER_CHECK_ARGS (the check's arguments,
# word-split; default "--max-error 3": up to three distinct counterexamples;
# e.g. "--liveness" or "--config two-pagers --workers auto"),
# MULTIPAGER_REFINE_ARGS (default "--exhaustive"), MULTIPAGER (the command
# that runs multipager, default "npx multipager").
set -uo pipefail

read -r -a multipager <<< "${MULTIPAGER:-npx multipager}"
read -r -a check_args <<< "${MULTIPAGER_CHECK_ARGS---max-error 3}"
read -r -a refine_args <<< "${MULTIPAGER_REFINE_ARGS---exhaustive}"
out="${MULTIPAGER_OUT:-multipager-out}"
mkdir -p "$out"

status=0
verdicts=()
run() {
  local name=$1
  shift
  local code=0
  "${multipager[@]}" "$name" --no-progress --json "$out/$name.json" --itf "$out/$name-{id}.itf.json" "$@" || code=$?
  verdicts+=("| \`multipager $name $*\` | $code |")
  if [ "$status" -eq 0 ] && [ "$code" -ne 0 ]; then status=$code; fi
}

run check "${check_args[@]}"
run refine "${refine_args[@]}"

{
  echo "## multipager: $([ "$status" -eq 0 ] && echo "no violation" || echo "exit $status")"
  echo
  echo "| command | exit |"
  echo "| --- | --- |"
  printf '%s\n' "${verdicts[@]}"
  # Each command's counterexamples in its report's order (shortest first).
  for report in "$out/check.json" "$out/refine.json"; do
    [ -e "$report" ] || continue
    node -e 'for (const c of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).counterexamples) if (c.file) console.log(c.file)' "$report"
  done | while read -r trace; do
    echo
    "${multipager[@]}" trace show "$trace" --format md || echo "(\`multipager trace show $trace\` failed: exit $?)"
  done
} > "$out/summary.md"

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$out/summary.md" >> "$GITHUB_STEP_SUMMARY"; fi
exit "$status"
