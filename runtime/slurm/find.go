package slurm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/frameworm/frameworm/runtime"
)

// Find looks for a job of this very attempt of the trial (lineage,
// search, number and attempt: Identity, or an element of one of the
// search's job arrays whose manifest lists the trial's directory, number
// and attempt), queued, running or ended, in one squeue call; then, when
// Slurm knows none, for the exit file a job of the attempt left in the
// trial directory. It is how an apply that died between sbatch and
// recording the handle finds the job again instead of submitting the
// trial twice. ok is false when there is none: the trial was never
// submitted, or Slurm forgot the job before it could write its exit file.
// When several jobs match, an active one wins, then the most recent.
func (e *Executor) Find(ctx context.Context, spec runtime.Spec) (job string, ok bool, err error) {
	handles, err := e.FindAll(ctx, []runtime.Spec{spec})
	if err != nil {
		return "", false, err
	}
	return handles[0], handles[0] != "", nil
}

// FindAll is Find for many trials at once, still in one squeue call: the
// handle of each trial's job, in the order of specs, "" for none.
func (e *Executor) FindAll(ctx context.Context, specs []runtime.Spec) ([]string, error) {
	handles := make([]string, len(specs))
	if len(specs) == 0 {
		return handles, nil
	}
	var names []string
	seen := map[string]bool{}
	for _, s := range specs {
		for _, n := range []string{Identity(s), arrayName(s)} {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	// Only this user's jobs: another user's job of the same name is not
	// the trial's.
	out, err := e.run(ctx, nil, e.cmds.Squeue, "-h", "-t", "all", "-u", strconv.Itoa(os.Getuid()), "-n", strings.Join(names, ","), "-o", findFormat)
	if err != nil {
		return nil, fmt.Errorf("looking for the trials' jobs on the cluster: %w", err)
	}
	return matchJobs(specs, parseFind(out)), nil
}

// matchJobs is FindAll's answer from squeue's rows.
func matchJobs(specs []runtime.Spec, rows []findRow) []string {
	handles := make([]string, len(specs))
	byName := map[string][]findRow{}
	byArray := map[string][]findRow{}
	for _, r := range rows {
		byName[r.Name] = append(byName[r.Name], r)
		byArray[r.ArrayID] = append(byArray[r.ArrayID], r)
	}
	manifests := map[string][]manifestEntry{}
	readManifest := func(path string) []manifestEntry {
		if m, ok := manifests[path]; ok {
			return m
		}
		b, err := readLimitedFile(path, maxManifest)
		var m []manifestEntry
		if err == nil {
			m, _ = parseManifest(b)
		}
		manifests[path] = m
		return m
	}
	for i, s := range specs {
		var best candidate
		for _, r := range byName[Identity(s)] {
			if jobIDPattern.MatchString(r.ID) {
				best = best.or(candidate{handlePrefix + r.ID, r.ArrayID, 0, r.State})
			}
		}
		dir, _ := filepath.Abs(s.TrialDir)
		arrays := map[string]bool{}
		for _, r := range byName[arrayName(s)] {
			path, ok := strings.CutPrefix(r.Comment, manifestComment)
			if !ok || arrays[r.ArrayID] {
				continue
			}
			arrays[r.ArrayID] = true
			for k, m := range readManifest(path) {
				if m.Dir == dir && m.Number == s.Number && m.Attempt == s.Attempt {
					h := fmt.Sprintf("%s%s_%d", handlePrefix, r.ArrayID, k)
					best = best.or(candidate{h, r.ArrayID, k, taskState(byArray[r.ArrayID], r.ArrayID, k)})
				}
			}
		}
		if best.handle == "" {
			if ex := readExitFile(dir, ""); ex != nil && ex.Attempt == s.Attempt {
				if m, err := runtime.ReadMarker(dir); err == nil && m.Same(runtime.Marker{Lineage: s.Lineage, Search: s.Search, Number: s.Number}) {
					best.handle = handlePrefix + ex.Job
				}
			}
		}
		handles[i] = best.handle
	}
	return handles
}

// earlierJob is the job an earlier apply submitted for this very attempt
// of spec (see Find), "" when there is none. Run asks it before
// submitting. Every Run of the executor is answered from one squeue call,
// listing this user's frameworm jobs, made by the first Run that asks
// and kept: the jobs an apply that died left behind are all in it, and
// the jobs this executor submits later are never of an attempt it looked
// up before. On an error the next Run asks again.
//
// Before that call, the sbatch calls that an apply killed while they ran
// may have left are waited for (waitInflight), in the directory of the
// spec's batch script; a spec whose directory was not waited for yet
// makes the executor wait there and ask squeue again.
func (e *Executor) earlierJob(ctx context.Context, spec runtime.Spec) (string, error) {
	handles, err := e.earlierJobs(ctx, []runtime.Spec{spec})
	if err != nil {
		return "", err
	}
	return handles[0], nil
}

// earlierJobs is earlierJob for each of specs.
func (e *Executor) earlierJobs(ctx context.Context, specs []runtime.Spec) ([]string, error) {
	e.knownMu.Lock()
	defer e.knownMu.Unlock()
	for _, spec := range specs {
		dir := e.dirFor(spec.TrialDir)
		if e.waited[dir] {
			continue
		}
		if err := waitInflight(ctx, dir); err != nil {
			return nil, err
		}
		if e.waited == nil {
			e.waited = map[string]bool{}
		}
		e.waited[dir] = true
		e.knownRead, e.known = false, nil
	}
	if !e.knownRead {
		out, err := e.run(ctx, nil, e.cmds.Squeue, "-h", "-t", "all", "-u", strconv.Itoa(os.Getuid()), "-o", findFormat)
		if err != nil {
			return nil, fmt.Errorf("looking for a job an earlier apply submitted for the trial: %w", err)
		}
		for _, r := range parseFind(out) {
			if strings.HasPrefix(r.Name, "fw.") {
				e.known = append(e.known, r)
			}
		}
		e.knownRead = true
	}
	return matchJobs(specs, e.known), nil
}

// maxManifest bounds what is read of a manifest (a million tasks of long
// paths).
const maxManifest = 256 << 20

// candidate is a job Find may answer with.
type candidate struct {
	handle string
	jobID  string // the job's (or array's) id, for recency
	task   int
	state  string // "" when unknown (the task is not listed: it ended)
}

// or is the better of c and o: an active job, else one not cancelled,
// else the most recent.
func (c candidate) or(o candidate) candidate {
	if c.handle == "" {
		return o
	}
	rank := func(x candidate) int {
		switch {
		case x.state != "" && !isFinal(x.state):
			return 2
		case x.state != "CANCELLED":
			return 1
		}
		return 0
	}
	if rc, ro := rank(c), rank(o); rc != ro {
		if ro > rc {
			return o
		}
		return c
	}
	ci, _ := strconv.ParseInt(c.jobID, 10, 64)
	oi, _ := strconv.ParseInt(o.jobID, 10, 64)
	if oi > ci || oi == ci && o.task > c.task {
		return o
	}
	return c
}

// taskState is the state of task k of array id from squeue's lines of the
// array (without -r: tasks that started have a line each, "ID_K", the
// ones still pending share one, "ID_[K-N%L]"); "" when none lists it.
func taskState(rows []findRow, id string, k int) string {
	own := id + "_" + strconv.Itoa(k)
	for _, r := range rows {
		if r.ID == own {
			return r.State
		}
		if rest, ok := strings.CutPrefix(r.ID, id+"_["); ok && inTaskRange(strings.TrimSuffix(rest, "]"), k) {
			return r.State
		}
	}
	return ""
}

// inTaskRange reports whether task k is in squeue's task list ("3-9%2",
// "1,4,6-8").
func inTaskRange(list string, k int) bool {
	list, _, _ = strings.Cut(list, "%")
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		if err1 != nil {
			continue
		}
		b := a
		if isRange {
			var err error
			if b, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		if a <= k && k <= b {
			return true
		}
	}
	return false
}
