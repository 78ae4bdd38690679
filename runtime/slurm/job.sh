#!/bin/bash
# The batch script of fwapply's Slurm executor (Go package runtime/slurm).
# It is fixed: fwapply never generates or edits it, and the trial's argv
# reaches it as arguments, so no shell ever parses anything a search holds.
#
#   job.sh v1 TIMEOUT GRACE trial DIR NUMBER ATTEMPT -- ARGV...
#   job.sh v1 TIMEOUT GRACE array MANIFEST -- ARGV...
#
# TIMEOUT is the trial's timeout in seconds (0: none) and GRACE the time
# between SIGTERM and SIGKILL. An array task finds its trial in MANIFEST:
# DIR, NUMBER and ATTEMPT of each task in turn, each ended by a NUL byte.
#
# The script sets the protocol's FW_* variables, runs ARGV in DIR's
# process group of its own (stdin /dev/null, output appended to the trial
# directory's stdout.log and stderr.log), stops it after TIMEOUT (SIGTERM
# to the group, SIGKILL after GRACE), forwards SIGTERM and Slurm's time
# limit warning (SIGUSR1, from --signal=B:USR1@...) to the group, and
# finally writes what happened to DIR/.frameworm-exit.json, so that
# fwapply learns the outcome even after Slurm has forgotten the job.
set -u

fail() {
	echo "fwapply's Slurm batch script: $*" >&2
	exit 2
}

[ "$#" -ge 5 ] && [ "$1" = v1 ] || fail "unexpected arguments (was the job submitted by another version of fwapply?)"
timeout=$2 grace=$3 mode=$4
shift 4
case $mode in
trial)
	[ "$#" -ge 4 ] || fail "missing the trial's directory, number and attempt"
	dir=$1 number=$2 attempt=$3
	shift 3
	;;
array)
	manifest=$1
	shift
	task=${SLURM_ARRAY_TASK_ID:-}
	[ -n "$task" ] || fail "SLURM_ARRAY_TASK_ID is not set: not an array job"
	dir= i=0
	while IFS= read -r -d '' d && IFS= read -r -d '' n && IFS= read -r -d '' a; do
		if [ "$i" = "$task" ]; then
			dir=$d number=$n attempt=$a
			break
		fi
		i=$((i + 1))
	done <"$manifest" || true
	[ -n "$dir" ] || fail "array task $task is not in the manifest $manifest"
	;;
*)
	fail "unknown mode $mode"
	;;
esac
[ -d "$dir" ] || fail "the trial directory $dir does not exist on node ${SLURMD_NODENAME:-$(hostname)}: it must be on storage the nodes share"
[ "${1:-}" = -- ] || fail "missing -- before the trial's command"
shift
[ "$#" -ge 1 ] || fail "the trial's command is empty"

if [ -n "${SLURM_ARRAY_JOB_ID:-}" ]; then
	job=${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}
else
	job=${SLURM_JOB_ID:-}
fi

export FW_TRIAL_DIR="$dir"
export FW_CONFIG="$dir/config.json"
export FW_PARAMS="$dir/params.json"
export FW_METRICS="$dir/metrics.json"
export FW_PROGRESS="$dir/progress.jsonl"
export FW_TRIAL="$number"
exitfile=$dir/.frameworm-exit.json

# A job that Slurm requeued starts over: never with the metrics or the
# exit status of its earlier run.
rm -f -- "$FW_METRICS" "$exitfile"

# record writes the exit file: what the trial's run came to.
record() {
	local tmp=$exitfile.$$.tmp
	printf '{"job": "%s", "attempt": %s, %s, "timed_out": %s, "time_limit": %s}\n' \
		"$job" "$attempt" "$1" "$timed_out" "$time_limit" >"$tmp" && mv -f -- "$tmp" "$exitfile"
}

timed_out=false time_limit=false
prog=$1
cannot=
case $prog in
*/*)
	if [ -d "$prog" ]; then
		cannot=directory
	elif [ ! -e "$prog" ]; then
		cannot=missing
	elif [ ! -x "$prog" ]; then
		cannot=not-executable
	fi
	;;
*)
	type -P -- "$prog" >/dev/null 2>&1 || cannot=not-found
	;;
esac
if [ -n "$cannot" ]; then
	record '"cannot_start": "'"$cannot"'"'
	exit 127
fi

child= watchdog= killer= signalled=0
group_alive() { [ -n "$child" ] && kill -0 -- "-$child" 2>/dev/null; }
stop() { [ -n "$child" ] && kill -s "$1" -- "-$child" 2>/dev/null; }
kill_later() {
	[ -n "$killer" ] && return
	set -m
	(sleep "$grace" && kill -s KILL -- "-$child") >/dev/null 2>&1 </dev/null &
	killer=$!
	set +m
}
on_timeout() { signalled=1 timed_out=true; stop TERM; kill_later; }
on_time_limit() { signalled=1 time_limit=true; stop TERM; }
on_term() { signalled=1; stop TERM; kill_later; }
trap on_timeout USR2
trap on_time_limit USR1
trap on_term TERM INT HUP

# set -m gives each background job a process group of its own.
set -m
(exec -- "$@") </dev/null >>"$dir/stdout.log" 2>>"$dir/stderr.log" &
child=$!
if [ "$timeout" != 0 ]; then
	(sleep "$timeout" && kill -s USR2 $$) >/dev/null 2>&1 </dev/null &
	watchdog=$!
fi
set +m

# wait returns early, above 128, when a trapped signal arrives.
while :; do
	signalled=0
	wait "$child" 2>/dev/null
	status=$?
	[ "$signalled" = 1 ] && [ "$status" -gt 128 ] || break
	if ! kill -0 "$child" 2>/dev/null; then
		wait "$child" 2>/dev/null
		s=$?
		[ "$s" = 127 ] || status=$s
		break
	fi
done
# bash 5.2 can lose the status of a child that ends while a trap runs
# (scancel signals the script and the trial at once): wait then returns
# -1. Every trap has sent the trial SIGTERM by then, so that is what it
# is recorded as ended by, never as an exit status of -1.
if [ "$status" -lt 0 ] || [ "$status" -gt 255 ]; then
	status=$((128 + 15))
fi
[ -n "$watchdog" ] && kill -- "-$watchdog" 2>/dev/null

# What the trial started and left behind is stopped as a timeout would.
if group_alive; then
	stop TERM
	kill_later
	while group_alive && kill -0 "$killer" 2>/dev/null; do
		sleep 0.1
	done
fi
[ -n "$killer" ] && kill -- "-$killer" 2>/dev/null

if [ "$status" -gt 128 ] && [ "$status" -le 192 ]; then
	record '"signal": '$((status - 128))
else
	record '"exit": '"$status"
fi
exit "$status"
