package slurm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frameworm/frameworm/atomicfile"
	"github.com/frameworm/frameworm/runtime"
)

// scriptVersion is job.sh's first argument: the interface between this
// package and the script.
const scriptVersion = "v1"

// signalMinLimit is the shortest time limit for which the job asks Slurm
// for a warning before it (--signal=B:USR1@...): Slurm may send it up to a
// minute early, which would stop a short job at once.
const signalMinLimit = 5 * time.Minute

// timeLimit is the job's --time for spec: Config.Time, else the trial's
// timeout plus the grace period, rounded up to whole minutes; 0 for none.
// The batch script stops the trial at its timeout itself, to the
// millisecond; Slurm's limit is the backstop.
func (e *Executor) timeLimit(spec runtime.Spec) time.Duration {
	if e.cfg.Time > 0 {
		return roundMinutes(e.cfg.Time)
	}
	if spec.Timeout > 0 {
		return roundMinutes(spec.Timeout + e.grace)
	}
	return 0
}

// sbatchArgs are the options of every submission of spec: the executor's
// configuration and the job's name. ExtraArgs come first, so that the
// options the executor sets win.
func (e *Executor) sbatchArgs(spec runtime.Spec, name string) []string {
	args := slices.Clone(e.cfg.ExtraArgs)
	args = append(args, "--parsable", "--job-name="+name, "--export=ALL", "--chdir="+spec.WorkDir, "--open-mode=append")
	opt := func(flag, v string) {
		if v != "" {
			args = append(args, flag+"="+v)
		}
	}
	opt("--partition", e.cfg.Partition)
	opt("--account", e.cfg.Account)
	opt("--qos", e.cfg.QoS)
	opt("--constraint", e.cfg.Constraint)
	opt("--nodelist", e.cfg.Nodelist)
	opt("--mem", e.cfg.Mem)
	opt("--gres", e.cfg.Gres)
	if e.cfg.CPUsPerTask > 0 {
		opt("--cpus-per-task", strconv.Itoa(e.cfg.CPUsPerTask))
	}
	if e.cfg.GPUs > 0 {
		opt("--gpus", strconv.Itoa(e.cfg.GPUs))
	}
	if limit := e.timeLimit(spec); limit > 0 {
		args = append(args, "--time="+strconv.Itoa(int(limit/time.Minute)))
		if e.cfg.Time > 0 && limit >= signalMinLimit {
			// The script passes the warning on as SIGTERM, giving the
			// trial a minute or more to save its work.
			ahead := 60 + int(math.Ceil(e.grace.Seconds()))
			args = append(args, "--signal=B:USR1@"+strconv.Itoa(ahead))
		}
	}
	return args
}

// scriptArgs are the batch script and its arguments for spec; source
// names the trial ("trial DIR NUMBER ATTEMPT" or "array MANIFEST").
func (e *Executor) scriptArgs(script string, spec runtime.Spec, source ...string) []string {
	args := []string{script, scriptVersion, seconds(spec.Timeout), seconds(e.grace)}
	args = append(args, source...)
	args = append(args, "--")
	return append(args, spec.Command...)
}

// seconds writes d in seconds for the script's sleep ("0.3", "600").
func seconds(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// logPath is path for sbatch's --output and --error, or /dev/null when
// path holds a '%', which Slurm would read as a pattern (the trial's own
// output goes to its logs through the script anyway).
func logPath(path string) string {
	if strings.ContainsAny(path, "%\\") {
		return "/dev/null"
	}
	return path
}

// submitOne submits spec, whose directory is prepared, as one job and
// returns its id.
func (e *Executor) submitOne(ctx context.Context, spec runtime.Spec, files runtime.TrialFiles) (string, error) {
	script, err := e.writeScript(e.dirFor(files.Dir))
	if err != nil {
		return "", fmt.Errorf("writing the batch script: %w", err)
	}
	args := e.sbatchArgs(spec, Identity(spec))
	args = append(args, "--output="+logPath(files.Stdout), "--error="+logPath(files.Stderr))
	args = append(args, e.scriptArgs(script, spec, "trial", files.Dir, strconv.Itoa(spec.Number), strconv.Itoa(spec.Attempt))...)
	out, err := e.sbatch(e.dirFor(files.Dir), runtime.TrialEnviron(spec, files), args...)
	if err != nil {
		if notStartable(err) {
			return "", err
		}
		// The controller may have taken the job and its answer been
		// lost: look for it before giving up.
		if h, ok, ferr := e.Find(ctx, spec); ferr == nil && ok {
			if id, perr := parseHandle(h); perr == nil {
				return id, nil
			}
		}
		return "", err
	}
	return parseSbatch(out)
}

// Submit prepares the trials' directories and submits them: with
// Config.Array, each run of consecutive trials that share search,
// command, environment, working directory and timeout as one job array
// (--array=0-N%limit), split at the cluster's MaxArraySize, the arrays of
// one call run one after the other (--dependency=afterany) so that limit
// holds across them; without Config.Array, one job per trial (limit is
// then the caller's to keep). It returns the handles ("slurm:ID_TASK" or
// "slurm:ID") in the order of specs: all, or on error those of a prefix.
// The caller records them and waits for each trial with Run, given its
// Spec with Job set. Submit calls no Spec.Submitted.
//
// A trial whose attempt already has a job, submitted by an apply that
// died before recording its handle (found as Run finds it), gets that
// job's handle: it is not submitted again, and its directory is left
// alone. Those jobs run outside the limit of the new arrays.
func (e *Executor) Submit(ctx context.Context, specs []runtime.Spec, limit int) ([]string, error) {
	if e.isClosed() {
		return nil, errors.New("cannot submit trials: the Slurm executor is closed")
	}
	earlier, err := e.earlierJobs(ctx, specs)
	if err != nil {
		return nil, fmt.Errorf("cannot submit trials: %w; run fwapply apply again once squeue answers", err)
	}
	var todo []runtime.Spec
	for i, h := range earlier {
		if h == "" {
			todo = append(todo, specs[i])
		}
	}
	var submitted []string
	if len(todo) > 0 {
		submitted, err = e.submitNew(ctx, todo, limit)
	}
	// The handles of a prefix of specs: up to the first trial not
	// submitted, if any.
	handles := make([]string, 0, len(specs))
	k := 0
	for i := range specs {
		if earlier[i] == "" {
			if k == len(submitted) {
				break
			}
			earlier[i] = submitted[k]
			k++
		}
		handles = append(handles, earlier[i])
	}
	return handles, err
}

// submitNew is Submit for trials without a job.
func (e *Executor) submitNew(ctx context.Context, specs []runtime.Spec, limit int) ([]string, error) {
	var handles []string
	if !e.cfg.Array {
		for _, spec := range specs {
			files, err := e.prepareOne(ctx, spec)
			if err != nil {
				return handles, err
			}
			id, err := e.submitOne(ctx, spec, files)
			if err != nil {
				return handles, fmt.Errorf("submitting trial %s[%d] to Slurm: %w", spec.Search, spec.Number, err)
			}
			handles = append(handles, handlePrefix+id)
		}
		return handles, nil
	}
	files := make([]runtime.TrialFiles, 0, len(specs))
	var prepErr error
	for _, spec := range specs {
		f, err := e.prepareOne(ctx, spec)
		if err != nil {
			prepErr = err
			break
		}
		files = append(files, f)
	}
	specs = specs[:len(files)]
	if len(specs) == 0 {
		return nil, prepErr
	}
	size, err := e.maxArraySize(ctx)
	if err != nil {
		return nil, err
	}
	prev := ""
	for start := 0; start < len(specs); {
		end := start + 1
		for end < len(specs) && end-start < size && sameJob(specs[start], specs[end]) {
			end++
		}
		id, err := e.submitArray(specs[start:end], files[start:end], limit, prev)
		if err != nil {
			return handles, fmt.Errorf("submitting trials %s[%d] to %s[%d] as a job array: %w",
				specs[start].Search, specs[start].Number, specs[end-1].Search, specs[end-1].Number, err)
		}
		for k := range end - start {
			handles = append(handles, fmt.Sprintf("%s%s_%d", handlePrefix, id, k))
		}
		prev, start = id, end
	}
	return handles, prepErr
}

// prepareOne checks spec and prepares its trial directory, as Run does
// before submitting.
func (e *Executor) prepareOne(ctx context.Context, spec runtime.Spec) (runtime.TrialFiles, error) {
	if err := ctx.Err(); err != nil {
		return runtime.TrialFiles{}, err
	}
	if why := e.check(spec); why != "" {
		return runtime.TrialFiles{}, fmt.Errorf("trial %s[%d]: %s", spec.Search, spec.Number, why)
	}
	files, err := runtime.PrepareTrial(spec)
	if err == nil {
		err = removeExitFile(files.Dir)
	}
	if err != nil {
		return files, fmt.Errorf("trial %s[%d]: cannot prepare the trial directory: %w", spec.Search, spec.Number, err)
	}
	return files, nil
}

// sameJob reports whether a and b can be tasks of one array: the array's
// options, environment, command and name are shared.
func sameJob(a, b runtime.Spec) bool {
	return a.Search == b.Search && a.Lineage == b.Lineage && a.WorkDir == b.WorkDir && a.Timeout == b.Timeout &&
		slices.Equal(a.Command, b.Command) && sameEnv(a.Env, b.Env)
}

func sameEnv(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// manifestComment starts the --comment of a job array: the path of its
// manifest follows, for Find.
const manifestComment = "fw-manifest="

// submitArray submits specs, prepared, as one job array and returns its
// job id. after, when set, is a job the array waits for.
func (e *Executor) submitArray(specs []runtime.Spec, files []runtime.TrialFiles, limit int, after string) (string, error) {
	dir := e.dirFor(files[0].Dir)
	script, err := e.writeScript(dir)
	if err != nil {
		return "", fmt.Errorf("writing the batch script: %w", err)
	}
	entries := make([]manifestEntry, len(specs))
	for i, s := range specs {
		entries[i] = manifestEntry{files[i].Dir, s.Number, s.Attempt}
	}
	var token [6]byte
	_, _ = rand.Read(token[:])
	manifest := filepath.Join(dir, "array-"+time.Now().UTC().Format("20060102T150405")+"-"+hex.EncodeToString(token[:])+".manifest")
	if err := atomicfile.Replace(manifest, encodeManifest(entries), 0o644); err != nil {
		return "", fmt.Errorf("writing the array's manifest: %w", err)
	}
	spec := specs[0]
	args := e.sbatchArgs(spec, arrayName(spec))
	array := "--array=0-" + strconv.Itoa(len(specs)-1)
	if limit > 0 && limit < len(specs) {
		array += "%" + strconv.Itoa(limit)
	}
	// Slurm's own messages for the tasks (time limit, memory) go to one
	// log beside the manifest; each trial's output goes to its logs.
	log := logPath(strings.TrimSuffix(manifest, ".manifest") + ".log")
	args = append(args, array, "--comment="+manifestComment+manifest, "--output="+log, "--error="+log)
	if after != "" {
		args = append(args, "--dependency=afterany:"+after)
	}
	args = append(args, e.scriptArgs(script, spec, "array", manifest)...)
	out, err := e.sbatch(dir, runtime.TrialEnviron(spec, files[0]), args...)
	if err != nil {
		return "", err
	}
	return parseSbatch(out)
}
