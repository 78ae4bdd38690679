package slurm

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The parsers of this file read what Slurm's commands print, and the exit
// file the batch script writes: outside input, never trusted to be well
// formed (FuzzParse* check that they never panic).

// jobIDPattern is a job id as fwapply uses it: a plain job ("123") or an
// element of a job array ("123_4").
var jobIDPattern = regexp.MustCompile(`^[0-9]+(_[0-9]+)?$`)

// parseSbatch reads the job id from the output of sbatch --parsable: the
// id, possibly followed by ";cluster", on the last line that is not blank.
func parseSbatch(out string) (string, error) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	id, _, _ := strings.Cut(last, ";")
	if id == "" || strings.Trim(id, "0123456789") != "" || len(id) > 18 {
		return "", fmt.Errorf("sbatch --parsable printed %q, not a job id", clipOutput(out))
	}
	return id, nil
}

// queueRow is one line of the poller's squeue: a job or an array element.
type queueRow struct {
	ID     string // "123" or "123_4"
	State  string // PENDING, RUNNING, COMPLETED...
	Nodes  string // the nodes it runs on, "" while pending
	Reason string // why it waits: Resources, PartitionConfig...
	// Desc is the reason with Slurm's description ("ReqNodeNotAvail,
	// UnavailableNodes:n[1-2]") for a pending job, else the nodes.
	Desc string
}

// queueFormat is the squeue -o format parseQueue reads: the one field that
// may hold a '|' comes last.
const queueFormat = "%i|%T|%N|%r|%R"

// parseQueue reads the output of squeue -h -o queueFormat. Lines without
// the fields, or with an id that is not a job id, are skipped.
func parseQueue(out string) []queueRow {
	var rows []queueRow
	for _, line := range strings.Split(out, "\n") {
		f := strings.SplitN(strings.TrimRight(line, "\r"), "|", 5)
		if len(f) != 5 || !jobIDPattern.MatchString(strings.TrimSpace(f[0])) {
			continue
		}
		rows = append(rows, queueRow{
			ID:     strings.TrimSpace(f[0]),
			State:  baseState(f[1]),
			Nodes:  strings.TrimSpace(f[2]),
			Reason: strings.TrimSpace(f[3]),
			Desc:   strings.TrimSpace(f[4]),
		})
	}
	return rows
}

// baseState is a job state without the flags Slurm may append
// ("CANCELLED by 0", "RUNNING+...").
func baseState(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " +"); i >= 0 {
		s = s[:i]
	}
	return s
}

// findRow is one line of Find's squeue.
type findRow struct {
	ID      string // "%i": "123", "123_4", "123_[5-9%2]"
	ArrayID string // "%F": the array's job id, or the job's own
	State   string
	Name    string
	Comment string
}

// findFormat is the squeue -o format parseFind reads; the comment, which
// may hold anything, comes last.
const findFormat = "%i|%F|%T|%j|%k"

// parseFind reads the output of squeue -h -o findFormat.
func parseFind(out string) []findRow {
	var rows []findRow
	for _, line := range strings.Split(out, "\n") {
		f := strings.SplitN(strings.TrimRight(line, "\r"), "|", 5)
		if len(f) != 5 {
			continue
		}
		r := findRow{ID: strings.TrimSpace(f[0]), ArrayID: strings.TrimSpace(f[1]), State: baseState(f[2]), Name: f[3], Comment: f[4]}
		if r.ID == "" || strings.Trim(r.ArrayID, "0123456789") != "" || r.ArrayID == "" {
			continue
		}
		rows = append(rows, r)
	}
	return rows
}

// parseKeyValues reads one line of `scontrol -o show job|node`: Key=Value
// pairs separated by spaces, where a value may itself hold spaces (a
// Command= with its arguments, a Comment=). A word that does not start
// with a key (a name followed by '=') continues the previous value. Only
// the first occurrence of a key counts: the fields scontrol prints first
// are the ones fwapply reads, and a later value (a trial's argument
// "JobState=COMPLETED" in Command=) cannot stand in for them.
func parseKeyValues(line string) map[string]string {
	kv := map[string]string{}
	last := ""
	for _, word := range strings.Split(strings.TrimSpace(line), " ") {
		if k, v, ok := strings.Cut(word, "="); ok && isKey(k) {
			if _, seen := kv[k]; !seen {
				kv[k] = v
				last = k
			} else {
				last = "" // a repeated key's value is dropped
			}
			continue
		}
		if last != "" {
			kv[last] += " " + word
		}
	}
	return kv
}

// isKey reports whether k looks like one of scontrol's keys (JobState,
// AllocNode:Sid, CPUs/Task...).
func isKey(k string) bool {
	if k == "" || !(k[0] >= 'A' && k[0] <= 'Z' || k[0] >= 'a' && k[0] <= 'z') {
		return false
	}
	for _, c := range k {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == ':' || c == '/' || c == '_') {
			return false
		}
	}
	return true
}

// jobInfo is what `scontrol -o show job ID` says of a job.
type jobInfo struct {
	ID        string // the id asked for
	State     string // COMPLETED, FAILED, CANCELLED, TIMEOUT, PENDING...
	Reason    string
	ExitCode  int // the batch script's exit status
	Signal    int // the signal that ended the batch script, 0 if none
	Submit    time.Time
	Start     time.Time // zero when the job never started
	End       time.Time // zero while it runs
	Node      string    // the node that ran the batch script
	TimeLimit string    // as Slurm writes it: "00:02:00", "1-00:00:00", "UNLIMITED"
	Restarts  int
}

// Started reports whether the job ever ran.
func (j *jobInfo) Started() bool { return !j.Start.IsZero() && j.Node != "" }

// errUnknownJob is the error of scontrol for a job Slurm does not know
// (never did, or forgot it after MinJobAge).
var errUnknownJob = errors.New("Slurm does not know the job")

// parseJob reads the output of `scontrol -o show job ID` for the job id.
// The first line that is a job is taken. Times are in the local time zone,
// as scontrol prints them.
func parseJob(id, out string) (*jobInfo, error) {
	for _, line := range strings.Split(out, "\n") {
		kv := parseKeyValues(line)
		if _, ok := kv["JobId"]; !ok {
			continue
		}
		j := &jobInfo{ID: id, State: baseState(kv["JobState"]), Reason: kv["Reason"], TimeLimit: kv["TimeLimit"]}
		if j.State == "" {
			return nil, fmt.Errorf("scontrol printed no JobState for job %s", id)
		}
		if code, sig, ok := strings.Cut(kv["ExitCode"], ":"); ok {
			j.ExitCode, _ = strconv.Atoi(code)
			j.Signal, _ = strconv.Atoi(sig)
		}
		j.Submit = parseTime(kv["SubmitTime"])
		j.Start = parseTime(kv["StartTime"])
		j.End = parseTime(kv["EndTime"])
		j.Node = nodeName(kv["BatchHost"])
		if j.Node == "" {
			j.Node = nodeName(kv["NodeList"])
		}
		j.Restarts, _ = strconv.Atoi(kv["Restarts"])
		switch j.State {
		case "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "SPECIAL_EXIT":
			// StartTime of a pending job is Slurm's guess.
			j.Start, j.End = time.Time{}, time.Time{}
		}
		if !j.Start.IsZero() && !j.End.IsZero() && j.End.Before(j.Start) {
			j.End = j.Start // a running job's EndTime is its limit; clocks aside
		}
		return j, nil
	}
	if strings.Contains(out, "not found") || strings.Contains(out, "Invalid job id") {
		return nil, errUnknownJob
	}
	return nil, fmt.Errorf("scontrol printed no job: %q", clipOutput(out))
}

// nodeName is a node list's value unless it says there is none.
func nodeName(s string) string {
	switch s {
	case "", "(null)", "None", "N/A":
		return ""
	}
	return s
}

// parseTime reads one of scontrol's times ("2026-11-29T12:16:27"), in the
// local zone; the zero time for "Unknown", "None" and anything else.
func parseTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04:05", s, time.Local)
	if err != nil {
		return time.Time{}
	}
	return t
}

// parseConfigValue reads the value of key from `scontrol show config`
// ("MaxArraySize            = 1001"); "" when the key is absent.
func parseConfigValue(out, key string) string {
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// nodeStates reads `scontrol -o show node LIST`: each node's State
// ("IDLE", "DOWN+DRAIN", "ALLOCATED+NOT_RESPONDING"...).
func nodeStates(out string) map[string]string {
	states := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		kv := parseKeyValues(line)
		if name := kv["NodeName"]; name != "" {
			states[name] = kv["State"]
		}
	}
	return states
}

// exitStatus is the content of ExitFile, which the batch script writes
// when the trial has ended.
type exitStatus struct {
	Job     string `json:"job"`
	Attempt int    `json:"attempt"`
	// Exit is the trial's exit status, when it exited.
	Exit *int `json:"exit"`
	// Signal is the signal that killed it. A shell reports both as one
	// number (128+signal), so an exit status 129 to 192 reads as a signal.
	Signal *int `json:"signal"`
	// CannotStart says why the program could not be started:
	// "not-found", "missing", "directory", "not-executable".
	CannotStart string `json:"cannot_start"`
	// TimedOut says the script stopped the trial at its Spec.Timeout;
	// TimeLimit that Slurm warned of the job's time limit.
	TimedOut  bool `json:"timed_out"`
	TimeLimit bool `json:"time_limit"`
}

// maxExitFile bounds what is read of the exit file.
const maxExitFile = 4 << 10

// parseExitStatus reads the exit file.
func parseExitStatus(b []byte) (*exitStatus, error) {
	var ex exitStatus
	if err := json.Unmarshal(b, &ex); err != nil {
		return nil, fmt.Errorf("%s: %w", ExitFile, err)
	}
	if !jobIDPattern.MatchString(ex.Job) {
		return nil, fmt.Errorf("%s names no job (%q)", ExitFile, ex.Job)
	}
	if ex.Exit == nil && ex.Signal == nil && ex.CannotStart == "" {
		return nil, fmt.Errorf("%s holds no exit status", ExitFile)
	}
	return &ex, nil
}

// manifestEntry is one array task of a manifest.
type manifestEntry struct {
	Dir             string
	Number, Attempt int
}

// encodeManifest writes the manifest of an array: directory, number and
// attempt of each task, each ended by a NUL byte (job.sh reads it).
func encodeManifest(entries []manifestEntry) []byte {
	var b []byte
	for _, e := range entries {
		b = append(b, e.Dir...)
		b = append(b, 0)
		b = strconv.AppendInt(b, int64(e.Number), 10)
		b = append(b, 0)
		b = strconv.AppendInt(b, int64(e.Attempt), 10)
		b = append(b, 0)
	}
	return b
}

// parseManifest reads a manifest; a malformed one is an error.
func parseManifest(b []byte) ([]manifestEntry, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if b[len(b)-1] != 0 {
		return nil, errors.New("the manifest does not end with a NUL byte")
	}
	f := strings.Split(string(b[:len(b)-1]), "\x00")
	if len(f)%3 != 0 {
		return nil, fmt.Errorf("the manifest holds %d fields, not triples", len(f))
	}
	entries := make([]manifestEntry, 0, len(f)/3)
	for i := 0; i < len(f); i += 3 {
		n, err1 := strconv.Atoi(f[i+1])
		a, err2 := strconv.Atoi(f[i+2])
		if f[i] == "" || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("task %d of the manifest is malformed", i/3)
		}
		entries = append(entries, manifestEntry{f[i], n, a})
	}
	return entries, nil
}

// clipOutput shortens a command's output for a message.
func clipOutput(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
