package runtime

import "time"

// This file exports, for executors that start trials elsewhere than in
// this process (runtime/slurm), the steps Local.Run takes before and after
// the trial process, so that every executor keeps the protocol the same
// way.

// TrialFiles are the absolute paths of the files of one trial directory.
type TrialFiles struct {
	Dir, Config, Params, Metrics, Progress, Stdout, Stderr string
}

func (p trialPaths) files() TrialFiles {
	return TrialFiles{p.dir, p.config, p.params, p.metrics, p.progress, p.stdout, p.stderr}
}

// PrepareTrial makes the trial directory of spec ready for attempt
// spec.Attempt exactly as Local.Run does before starting the process (see
// the package documentation): Spec.TrialDir checked (absolute, not a
// symbolic link), the marker, config.json and params.json written, an
// earlier attempt's metrics.json removed and progress.jsonl emptied, the
// previous attempt's logs kept as stdout.<N-1>.log and stderr.<N-1>.log,
// and stdout.log and stderr.log created new and empty (closed: whoever
// runs the trial appends to them). On error the files are zero and the
// error says what went wrong, for a reason starting "cannot prepare the
// trial directory: ".
func PrepareTrial(spec Spec) (TrialFiles, error) {
	dir, err := trialDir(spec)
	if err != nil {
		return TrialFiles{}, err
	}
	p, stdout, stderr, err := prepare(spec, dir)
	if err != nil {
		return TrialFiles{}, err
	}
	stdout.Close()
	stderr.Close()
	return p.files(), nil
}

// TrialEnviron is the environment Local gives the trial process of spec
// whose directory holds files: this process's environment without
// FW_PG_CONN_STR, then Spec.Env, then the protocol's FW_* variables (later
// entries win).
func TrialEnviron(spec Spec, files TrialFiles) []string {
	return environ(spec, trialPaths{files.Dir, files.Config, files.Params, files.Metrics, files.Progress, files.Stdout, files.Stderr})
}

// ReadMetrics reads the metrics file at path after the trial ended, as
// Local does: every finite numeric entry it could read (nil when none),
// and, when metric is not a finite number in it (or the file is missing,
// a link, too large, not JSON...), the one-line reason that fails the
// trial; "" when the trial may count as completed.
func ReadMetrics(path, metric string) (map[string]float64, string) {
	return readMetrics(path, metric)
}

// StderrTail is the StderrTail of a failed trial whose stderr went to
// path (see Result.StderrTail).
func StderrTail(path string) []string { return stderrTail(path) }

// OneLine makes s fit Result.Error: one line of at most about 200
// characters.
func OneLine(s string) string { return oneLine(s) }

// FormatDuration writes d as the reasons of Results do: "300ms", "30s",
// "30m", "1h30m".
func FormatDuration(d time.Duration) string { return formatDuration(d) }
