#!/bin/sh
# pr-check.sh: the pull-request check of a directory of frameworm search
# files. It runs, in that directory,
#
#   1. fwapply fmt -check        the files are in the canonical layout
#   2. fwapply validate -json    they load and are valid
#   3. fwapply plan -detailed-exitcode -format=markdown
#                                what an apply of the pull request would run
#
# and posts one comment on the pull request (gh pr comment): the plan, in
# markdown, under what failed, if anything did. It needs only sh, fwapply
# and gh (and no gh at all with FW_COMMENT_FILE).
#
# Exit status: 0 when every step passed (a plan with trials to run
# passes: that is what a pull request to a search is for); 1 when a step
# failed or the comment could not be posted; the comment and the log say
# which.
#
# Environment:
#   FW_DIR           the directory of the search files (default: .)
#   FWAPPLY          the fwapply command (default: fwapply)
#   FW_PLAN_ARGS     more flags for plan, split at spaces, like
#                    "-var-file=ci.fwvars.hcl -state=main.fwstate"
#   PR_NUMBER        the pull request to comment on (gh pr comment)
#   FW_COMMENT_FILE  write the comment to this file instead of posting it
#   FW_COMMENT_MODE  "edit" (default): edit this token's last comment on
#                    the pull request, or add one when it has none, so
#                    that each push updates one comment; "new": add a
#                    comment each time
#   GH               the gh command (default: gh); gh reads GH_TOKEN
#
# The plan runs with -lock=false: it only reads the state, and a check of
# a pull request must neither wait for nor block an apply running on the
# main branch.

set -u
set -f # FW_PLAN_ARGS is split at spaces, never globbed

dir=${FW_DIR:-.}
fwapply=${FWAPPLY:-fwapply}
gh=${GH:-gh}
mode=${FW_COMMENT_MODE:-edit}

case $mode in
edit | new) ;;
*)
	echo "pr-check: FW_COMMENT_MODE is \"$mode\"; write edit or new" >&2
	exit 1
	;;
esac
if [ -z "${FW_COMMENT_FILE:-}" ] && [ -z "${PR_NUMBER:-}" ]; then
	echo "pr-check: set PR_NUMBER to the pull request to comment on, or FW_COMMENT_FILE to write the comment to a file" >&2
	exit 1
fi

tmp=${TMPDIR:-/tmp}/fw-pr-check.$$
mkdir "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

failed=0
comment=$tmp/comment.md
: >"$comment"

# section TITLE FILE: a failure section of the comment, with the first 60
# lines of FILE in a code block.
section() {
	failed=1
	{
		printf '### :x: %s\n\n' "$1"
		printf '````\n'
		head -n 60 "$2"
		printf '````\n\n'
	} >>"$comment"
}

# run NAME CMD...: runs a step with its output in $tmp/NAME.out and
# .err; sets status.
run() {
	name=$1
	shift
	echo "pr-check: $*" >&2
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	status=$?
}

# 1. Layout. Exit 3: a file is not formatted; 2: one cannot be read.
run fmt "$fwapply" -chdir="$dir" fmt -check -no-color
case $status in
0) ;;
3)
	section "Search files not in the canonical layout: run \`fwapply fmt\` and push" "$tmp/fmt.out"
	cat "$tmp/fmt.out" >&2
	;;
*)
	cat "$tmp/fmt.out" "$tmp/fmt.err" >"$tmp/fmt.all"
	section "fwapply fmt -check failed (exit status $status)" "$tmp/fmt.all"
	cat "$tmp/fmt.all" >&2
	;;
esac

# 2. Validity. The JSON is for programs; the comment gets the same
# diagnostics as text.
run validate "$fwapply" -chdir="$dir" validate -json -no-color
valid=$status
if [ "$valid" -ne 0 ]; then
	"$fwapply" -chdir="$dir" validate -no-color >"$tmp/validate.txt" 2>&1
	section "fwapply validate failed (exit status $valid)" "$tmp/validate.txt"
	cat "$tmp/validate.txt" >&2
fi

# 3. The plan: 0 nothing to run, 2 trials to run, 1 an error. An invalid
# directory cannot be planned: validate said why.
if [ "$valid" -eq 0 ]; then
	# shellcheck disable=SC2086 # FW_PLAN_ARGS is a list of flags
	run plan "$fwapply" -chdir="$dir" plan -detailed-exitcode -format=markdown -lock=false -no-color ${FW_PLAN_ARGS:-}
	case $status in
	0 | 2)
		cat "$tmp/plan.out" >>"$comment"
		cat "$tmp/plan.err" >&2
		;;
	*)
		section "fwapply plan failed (exit status $status)" "$tmp/plan.err"
		cat "$tmp/plan.err" >&2
		;;
	esac
fi

cat "$comment"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
	cat "$comment" >>"$GITHUB_STEP_SUMMARY"
fi

if [ -n "${FW_COMMENT_FILE:-}" ]; then
	cp "$comment" "$FW_COMMENT_FILE" || exit 1
elif [ "$mode" = edit ] && "$gh" pr comment "$PR_NUMBER" --edit-last --body-file "$comment" >/dev/null 2>&1; then
	: # updated the comment of the last push
elif ! "$gh" pr comment "$PR_NUMBER" --body-file "$comment"; then
	echo "pr-check: could not comment on pull request $PR_NUMBER (may the token write to pull requests?)" >&2
	exit 1
fi
exit "$failed"
