package hcl

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/frameworm/frameworm/definition"
)

// Executor blocks (docs/language.md, "Executors") say where a search's
// trials run when not in the local process pool:
//
//	executor "slurm" "gpu" {
//	  partition = "gpu"
//	  time      = "2h"
//	  gpus      = 1
//	}
//
//	search "big" {
//	  trial {
//	    command  = ["python3", "train.py"]
//	    executor = executor.slurm.gpu
//	  }
//	}
//
// The block's values are search configuration: they may use variables and
// functions. A trial names its executor with a reference, never a string,
// resolved here to the block; a search without one runs its trials in the
// local process pool (Trial.Executor nil).

// executorTypes are the known executor types.
var executorTypes = []string{"slurm"}

// executorRoot is the name references to executor blocks start with.
const executorRoot = "executor"

var slurmExecutorSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "partition"},
		{Name: "time"},
		{Name: "cpus_per_task"},
		{Name: "mem"},
		{Name: "gpus"},
		{Name: "gres"},
		{Name: "account"},
		{Name: "qos"},
		{Name: "constraint"},
		{Name: "nodelist"},
		{Name: "extra_args"},
		{Name: "array"},
		{Name: "poll"},
	},
}

// minPoll is the shortest poll interval that draws no warning: polling a
// scheduler faster loads it for every user of the cluster.
const minPoll = time.Second

// maxSlurmDuration is the longest time limit accepted: time.Duration's range.
const maxSlurmDuration = time.Duration(math.MaxInt64)

// sbatchFlag is an sbatch option extra_args may not hold, and why.
type sbatchFlag struct {
	long  string // without the dashes
	short byte   // 0 when it has none
	// attr is the attribute of the executor block that sets it; "" for a
	// flag fwapply sets itself.
	attr string
}

// reservedFlags are the sbatch options extra_args refuses: those fwapply
// sets itself for every job (the protocol depends on them), and those an
// attribute of the block sets (one way to write each).
var reservedFlags = []sbatchFlag{
	{long: "output", short: 'o'},
	{long: "error", short: 'e'},
	{long: "array", short: 'a', attr: "array"},
	{long: "job-name", short: 'J'},
	{long: "wrap"},
	{long: "parsable"},
	{long: "chdir", short: 'D'},
	{long: "export"},
	{long: "signal"},
	{long: "time", short: 't', attr: "time"},
	{long: "partition", short: 'p', attr: "partition"},
	{long: "account", short: 'A', attr: "account"},
	{long: "qos", short: 'q', attr: "qos"},
	{long: "constraint", short: 'C', attr: "constraint"},
	{long: "nodelist", short: 'w', attr: "nodelist"},
	{long: "cpus-per-task", short: 'c', attr: "cpus_per_task"},
	{long: "mem", attr: "mem"},
	{long: "gpus", short: 'G', attr: "gpus"},
	{long: "gres", attr: "gres"},
}

// executorKey identifies an executor block: its type and name.
type executorKey struct{ typ, name string }

// decodeExecutors decodes the executor blocks of a directory into
// l.executors, reporting unknown types, bad names and duplicates.
func (l *loader) decodeExecutors(blocks []*hcl.Block, ctx *hcl.EvalContext) {
	l.executors = map[executorKey]*definition.Executor{}
	l.badExecutors = map[executorKey]bool{}
	seen := map[executorKey]*hcl.Block{}
	for _, b := range blocks {
		typ, name := b.Labels[0], b.Labels[1]
		if !l.checkExecutorType(b) {
			continue
		}
		if !validName(name) {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid executor name",
				Detail:   fmt.Sprintf("%q is not a valid executor name: a name starts with a letter or underscore and holds only letters, digits, underscores and dashes.", name),
				Subject:  b.LabelRanges[1].Ptr(),
			})
			continue
		}
		key := executorKey{typ, name}
		if prev, ok := seen[key]; ok {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate executor",
				Detail:   fmt.Sprintf("An executor %q %q was already declared at %s. Executor names must be unique within a directory; rename one of them.", typ, name, prev.DefRange),
				Subject:  b.LabelRanges[1].Ptr(),
			})
			continue
		}
		seen[key] = b
		if e := l.decodeSlurm(b, ctx); e != nil {
			l.executors[key] = e
		} else {
			l.badExecutors[key] = true
		}
	}
}

// checkExecutorType reports whether the block's type is known, and adds the
// error when it is not.
func (l *loader) checkExecutorType(b *hcl.Block) bool {
	typ := b.Labels[0]
	if slices.Contains(executorTypes, typ) {
		return true
	}
	known := quoteList(executorTypes)
	var detail string
	switch strings.ToLower(typ) {
	case "local", "process", "pool":
		detail = fmt.Sprintf("Trials run in the local process pool by default: leave executor out of the trial block, and remove this block. The known executor types are %s.", known)
	default:
		detail = fmt.Sprintf("Unknown executor type %q.%s The known executor types are %s (a Slurm cluster).", typ, Suggest(strings.ToLower(typ), slices.Clone(executorTypes)), known)
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unknown executor type",
		Detail:   detail,
		Subject:  b.LabelRanges[0].Ptr(),
	})
	return false
}

// decodeSlurm decodes the body of an executor "slurm" block; nil when it
// has errors.
func (l *loader) decodeSlurm(b *hcl.Block, ctx *hcl.EvalContext) *definition.Executor {
	errsBefore := len(l.diags.Errs())
	content, diags := b.Body.Content(slurmExecutorSchema)
	l.add(diags...)
	e := &definition.Executor{Type: b.Labels[0], Name: b.Labels[1], DeclRange: b.DefRange}
	attrs := content.Attributes
	for _, s := range []struct {
		name string
		dst  *string
		what string
	}{
		{"partition", &e.Partition, "the partition (queue) jobs are submitted to"},
		{"account", &e.Account, "the account jobs are charged to"},
		{"qos", &e.QoS, "the quality of service of the jobs"},
		{"constraint", &e.Constraint, "the node features jobs require"},
		{"nodelist", &e.Nodelist, "the nodes jobs must run on"},
	} {
		if a := attrs[s.name]; a != nil {
			if v, ok := l.schedulerString(a, ctx, s.what); ok {
				*s.dst = v
			}
		}
	}
	if a := attrs["time"]; a != nil {
		if v, ok := l.stringAttr(a, ctx); ok {
			d, err := parseSlurmTime(v)
			if err != nil {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid time",
					Detail:   fmt.Sprintf("%s. time is each job's time limit (sbatch --time): a duration like \"2h\" or \"90m\", or one of Slurm's forms, \"MM\", \"MM:SS\", \"HH:MM:SS\", \"D-HH\", \"D-HH:MM\" or \"D-HH:MM:SS\". Remove it to use the trial's timeout, rounded up to whole minutes.", err),
					Subject:  a.Expr.Range().Ptr(),
				})
			} else {
				e.Time = d
			}
		}
	}
	if a := attrs["cpus_per_task"]; a != nil {
		if v, ok := l.intAttr(a, ctx, 1, 1<<20, "at least 1"); ok {
			e.CPUsPerTask = int(v)
		}
	}
	if a := attrs["mem"]; a != nil {
		if v, ok := l.stringAttr(a, ctx); ok {
			if _, err := parseSlurmSize(v); err != nil {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid mem",
					Detail:   fmt.Sprintf("%s. mem is the memory of each job (sbatch --mem): a whole number with an optional unit K, M, G or T (megabytes without one), like \"16G\" or \"512M\".", err),
					Subject:  a.Expr.Range().Ptr(),
				})
			} else {
				e.Mem = v
			}
		}
	}
	gpusAttr, gresAttr := attrs["gpus"], attrs["gres"]
	if gpusAttr != nil {
		if v, ok := l.intAttr(gpusAttr, ctx, 0, 1<<16, "0 or more"); ok {
			e.GPUs = int(v)
		}
	}
	if gresAttr != nil {
		if v, ok := l.schedulerString(gresAttr, ctx, "the generic resources of each job, like \"gpu:a100:1\""); ok {
			e.Gres = v
		}
	}
	if e.GPUs > 0 && e.Gres != "" {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Both gpus and gres",
			Detail:   "gpus (sbatch --gpus) and gres (sbatch --gres) both request GPUs, and Slurm refuses jobs that mix the two ways. Keep gpus = N for any GPUs, or gres for a GPU type, like gres = \"gpu:a100:1\".",
			Subject:  gresAttr.Range.Ptr(),
			Context:  hcl.RangeOver(gpusAttr.Range, gresAttr.Range).Ptr(),
		})
	}
	if a := attrs["extra_args"]; a != nil {
		if v, ok := l.extraArgs(a, ctx); ok {
			e.ExtraArgs = v
		}
	}
	if a := attrs["array"]; a != nil {
		if v, ok := l.boolAttr(a, ctx); ok {
			e.Array = v
		}
	}
	if a := attrs["poll"]; a != nil {
		if v, ok := l.stringAttr(a, ctx); ok {
			d, diag := positiveDuration(a, v, `"5s", "30s" or "1m"`,
				"poll must be positive, got %q: it is how often fwapply asks Slurm about its jobs. Remove it to poll adaptively.")
			switch {
			case diag != nil:
				l.add(diag)
			case d < minPoll:
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Fast poll",
					Detail:   fmt.Sprintf("poll = %q asks Slurm about the jobs more than once a second, which loads the scheduler for every user of the cluster. Use %s or more, or remove poll to poll adaptively.", v, minPoll),
					Subject:  a.Expr.Range().Ptr(),
				})
				e.Poll = d
			default:
				e.Poll = d
			}
		}
	}
	if len(l.diags.Errs()) > errsBefore {
		return nil
	}
	return e
}

// schedulerString decodes a string passed to sbatch as an option's value:
// not empty, and without spaces or control characters, which no partition,
// account, QOS, feature expression, node list or gres holds.
func (l *loader) schedulerString(a *hcl.Attribute, ctx *hcl.EvalContext, what string) (string, bool) {
	v, ok := l.stringAttr(a, ctx)
	if !ok {
		return "", false
	}
	var problem string
	switch {
	case v == "":
		problem = fmt.Sprintf("%s is empty. It sets %s; remove it for Slurm's default.", a.Name, what)
	case strings.IndexFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
		problem = fmt.Sprintf("%s is %q, which holds spaces or control characters. It sets %s, a single word to Slurm (lists are comma-separated, without spaces).", a.Name, v, what)
	default:
		return v, true
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + a.Name,
		Detail:   problem,
		Subject:  a.Expr.Range().Ptr(),
	})
	return "", false
}

// extraArgs decodes extra_args: sbatch options, each one element starting
// with "-" (with its value after "=", or joined to a short option), none
// that fwapply sets itself or that an attribute sets.
func (l *loader) extraArgs(a *hcl.Attribute, ctx *hcl.EvalContext) ([]string, bool) {
	v, ok := l.evalAs(a, ctx, cty.List(cty.String), "a list of strings")
	if !ok || v.IsNull() {
		return nil, false
	}
	var args []string
	valid := true
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		arg := ""
		if !e.IsNull() {
			arg = e.AsString()
		}
		if msg := extraArgProblem(arg); msg != "" {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid extra_args",
				Detail:   msg,
				Subject:  a.Expr.Range().Ptr(),
			})
			valid = false
			continue
		}
		args = append(args, arg)
	}
	return args, valid
}

// extraArgProblem says what is wrong with one element of extra_args, or "".
func extraArgProblem(arg string) string {
	switch {
	case arg == "" || arg == "-" || arg == "--" || !strings.HasPrefix(arg, "-"):
		return fmt.Sprintf("%q is not an sbatch option. Each element of extra_args is one option, starting with \"-\", with its value after \"=\": write [\"--mail-type=END\"], not [\"--mail-type\", \"END\"].", arg)
	case strings.ContainsRune(arg, 0):
		return fmt.Sprintf("%q holds a NUL character, which no argument may hold.", arg)
	}
	if f, ok := reservedFlag(arg); ok {
		if f.attr != "" {
			return fmt.Sprintf("%q sets sbatch --%s, which the attribute %s of the executor block sets: use %s instead.", arg, f.long, f.attr, f.attr)
		}
		return fmt.Sprintf("%q sets sbatch --%s, which fwapply sets itself for every job (the trial protocol depends on it); remove it.", arg, f.long)
	}
	return ""
}

// reservedFlag returns the reserved option arg sets, if any. A long option
// counts when its name is a reserved one or a prefix of it (sbatch, through
// getopt_long, accepts unambiguous abbreviations: --out is --output); a
// short option counts by its letter, whatever follows it.
func reservedFlag(arg string) (sbatchFlag, bool) {
	if name, ok := strings.CutPrefix(arg, "--"); ok {
		name, _, _ = strings.Cut(name, "=")
		for _, f := range reservedFlags {
			if name != "" && strings.HasPrefix(f.long, name) {
				return f, true
			}
		}
		return sbatchFlag{}, false
	}
	for _, f := range reservedFlags {
		if f.short != 0 && arg[1] == f.short {
			return f, true
		}
	}
	return sbatchFlag{}, false
}

// decodeTrialExecutor decodes a trial block's `executor =
// executor.slurm.NAME` into s.Trial.Executor, and warns about what will
// not work there: trial directories on node-local storage, a time limit
// below the trial's timeout. It runs after the search's experiment_root
// and the trial's timeout are decoded.
func (l *loader) decodeTrialExecutor(a *hcl.Attribute, s *definition.Search) {
	if a == nil {
		return
	}
	e := l.executorRef(a)
	if e == nil {
		return
	}
	s.Trial.Executor = e
	if dir, ok := nodeLocal(s.ExperimentRoot); ok {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Trial directories on node-local storage",
			Detail: fmt.Sprintf("The trials of search %q run on Slurm (executor %q %q), but their directories are under %s (experiment_root is %s): trial directories must be on storage the cluster's nodes share, since a trial reads its config and writes its metrics there on its node, and fwapply reads them on this machine. "+
				"Set experiment_root to a directory on shared storage, like \"/shared/fw-trials\". This only works when the cluster is this one machine.", s.Name, e.Type, e.Name, dir, s.ExperimentRoot),
			Subject: a.Expr.Range().Ptr(),
		})
	}
	if e.Time > 0 && s.Trial.Timeout > e.Time {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Executor time below the trial timeout",
			Detail: fmt.Sprintf("Slurm stops the jobs of executor %q %q after %s (its time), before the trial timeout of %s can: raise time, or lower timeout.",
				e.Type, e.Name, e.Time, s.Trial.Timeout),
			Subject: a.Expr.Range().Ptr(),
		})
	}
}

// nodeLocalDirs are directories that are never shared between the nodes of
// a cluster.
var nodeLocalDirs = []string{"/tmp", "/var/tmp", "/dev/shm"}

// nodeLocal returns the node-local directory dir is in, if any.
func nodeLocal(dir string) (string, bool) {
	dir = filepath.ToSlash(filepath.Clean(dir))
	for _, d := range nodeLocalDirs {
		if dir == d || strings.HasPrefix(dir, d+"/") {
			return d, true
		}
	}
	return "", false
}

// executorRef resolves the value of a trial's executor attribute, a
// reference like executor.slurm.gpu, to its block. null is no executor
// (nil, no error); anything else is a located error, nil.
func (l *loader) executorRef(a *hcl.Attribute) *definition.Executor {
	const form = "A trial names its executor with a reference to an executor block, executor.TYPE.NAME, like executor = executor.slurm.gpu for a block executor \"slurm\" \"gpu\"; without executor, trials run in the local process pool."
	invalid := func(rng hcl.Range, summary, detail string) *definition.Executor {
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()})
		return nil
	}
	if hcl.ExprAsKeyword(a.Expr) == "null" {
		return nil
	}
	tr, diags := hcl.AbsTraversalForExpr(a.Expr)
	if diags.HasErrors() {
		detail := form
		if v, vd := a.Expr.Value(nil); !vd.HasErrors() && v.Type() == cty.String && !v.IsNull() {
			detail = "executor is a reference, not a string. " + form
			if ref := l.refFor(strings.TrimSpace(v.AsString())); ref != "" {
				detail = fmt.Sprintf("executor is a reference, not a string: write executor = %s, without quotes. %s", ref, form)
			}
		}
		return invalid(a.Expr.Range(), "Invalid executor", detail)
	}
	names := make([]string, 0, len(tr))
	for _, step := range tr {
		switch st := step.(type) {
		case hcl.TraverseRoot:
			names = append(names, st.Name)
		case hcl.TraverseAttr:
			names = append(names, st.Name)
		default:
			return invalid(a.Expr.Range(), "Invalid executor", form)
		}
	}
	switch {
	case names[0] != executorRoot:
		detail := form
		if names[0] == "var" {
			detail = "executor cannot be a variable: it names an executor block, which variables cannot hold. " + form
		} else if names[0] == localRoot {
			detail = "executor cannot be a local value: it names an executor block, which local values cannot hold. " + form
		} else if s := Suggest(names[0], []string{executorRoot}); s != "" {
			detail = strings.TrimSpace(s) + " " + form
		}
		return invalid(tr[0].SourceRange(), "Invalid executor", detail)
	case len(names) != 3:
		return invalid(a.Expr.Range(), "Invalid executor", fmt.Sprintf("%s names no executor block. %s", strings.Join(names, "."), form))
	}
	typ, name := names[1], names[2]
	if !slices.Contains(executorTypes, typ) {
		return invalid(tr[1].SourceRange(), "Unknown executor type",
			fmt.Sprintf("Unknown executor type %q.%s The known executor types are %s.", typ, Suggest(typ, slices.Clone(executorTypes)), quoteList(executorTypes)))
	}
	if e := l.executors[executorKey{typ, name}]; e != nil {
		return e
	}
	if l.badExecutors[executorKey{typ, name}] {
		// The block exists but has errors, already reported.
		return nil
	}
	var declared []string
	for k := range l.executors {
		if k.typ == typ {
			declared = append(declared, k.name)
		}
	}
	for k := range l.badExecutors {
		if k.typ == typ {
			declared = append(declared, k.name)
		}
	}
	slices.Sort(declared)
	detail := fmt.Sprintf("No executor %q %q is declared.", typ, name)
	if s := Suggest(name, slices.Clone(declared)); s != "" {
		detail += s
	}
	if len(declared) > 0 {
		detail += fmt.Sprintf(" The %s executors are %s.", typ, quoteList(declared))
	} else {
		detail += fmt.Sprintf(" Declare it with an executor %q %q block.", typ, name)
	}
	return invalid(tr[2].SourceRange(), "Reference to undeclared executor", detail)
}

// refFor returns the reference a string written for an executor most
// likely means: itself when it has the form executor.TYPE.NAME, the
// reference to the executor named s when there is one; else "".
func (l *loader) refFor(s string) string {
	if parts := strings.Split(s, "."); len(parts) == 3 && parts[0] == executorRoot && validName(parts[2]) {
		return s
	}
	for k := range l.executors {
		if k.name == s {
			return executorRoot + "." + k.typ + "." + k.name
		}
	}
	for k := range l.badExecutors {
		if k.name == s {
			return executorRoot + "." + k.typ + "." + k.name
		}
	}
	return ""
}

// parseSlurmTime parses a time limit: a Go duration ("2h", "90m", "1h30m")
// or one of Slurm's forms, "MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM"
// and "D-HH:MM:SS". It must be positive.
func parseSlurmTime(s string) (time.Duration, error) {
	if strings.TrimSpace(s) != s || s == "" {
		return 0, fmt.Errorf("%q is not a time limit", s)
	}
	var d time.Duration
	if s[len(s)-1] >= '0' && s[len(s)-1] <= '9' && !strings.ContainsAny(s, ".+") && !strings.HasPrefix(s, "-") {
		// Slurm's forms end in a digit; so do no Go durations but "0".
		var err error
		if d, err = slurmForm(s); err != nil {
			return 0, err
		}
	} else {
		var err error
		d, err = time.ParseDuration(s)
		if err != nil {
			switch strings.ToUpper(s) {
			case "UNLIMITED", "INFINITE":
				return 0, fmt.Errorf("%q is no limit, which fwapply does not ask for", s)
			}
			return 0, fmt.Errorf("%q is not a time limit", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not a positive time limit (Slurm reads 0 as no limit)", s)
	}
	return d, nil
}

// slurmForm parses Slurm's time forms: "D-HH", "D-HH:MM", "D-HH:MM:SS"
// with days, "MM", "MM:SS", "HH:MM:SS" without.
func slurmForm(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a time limit", s)
	num := func(f string) (int64, bool) {
		// Nine digits at most: the total in seconds then fits an int64.
		if f == "" || len(f) > 9 || strings.Trim(f, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(f, 10, 64)
		return n, err == nil
	}
	var days int64
	before, rest, hasDays := strings.Cut(s, "-")
	if !hasDays {
		rest = before
	} else if days, hasDays = num(before); !hasDays {
		return 0, bad
	}
	fields := strings.Split(rest, ":")
	if len(fields) > 3 {
		return 0, bad
	}
	nums := make([]int64, len(fields))
	for i, f := range fields {
		n, ok := num(f)
		if !ok {
			return 0, bad
		}
		nums[i] = n
	}
	var h, m, sec int64
	switch {
	case hasDays && len(nums) == 1:
		h = nums[0]
	case hasDays && len(nums) == 2:
		h, m = nums[0], nums[1]
	case len(nums) == 3:
		h, m, sec = nums[0], nums[1], nums[2]
	case len(nums) == 1:
		m = nums[0]
	default:
		m, sec = nums[0], nums[1]
	}
	total := ((days*24+h)*60+m)*60 + sec
	if total > int64(maxSlurmDuration/time.Second) {
		return 0, fmt.Errorf("%q is longer than the longest time limit fwapply handles, %d days", s, int64(maxSlurmDuration/(24*time.Hour)))
	}
	return time.Duration(total) * time.Second, nil
}

// parseSlurmSize parses a Slurm memory size, as sbatch --mem takes it: a
// whole number with an optional unit K, M, G or T (either case, optionally
// followed by B), megabytes without one. It returns the size in megabytes,
// rounded up. "0" is Slurm's "all the memory of the node".
func parseSlurmSize(s string) (int64, error) {
	bad := fmt.Errorf("%q is not a memory size", s)
	digits := strings.TrimRight(s, "KMGTkmgtBb")
	unit := strings.ToUpper(s[len(digits):])
	if digits == "" || unit == "B" || len(digits) > 18 || strings.Trim(digits, "0123456789") != "" {
		return 0, bad
	}
	unit = strings.TrimSuffix(unit, "B")
	var kb int64
	switch unit {
	case "K":
		kb = 1
	case "", "M":
		kb = 1 << 10
	case "G":
		kb = 1 << 20
	case "T":
		kb = 1 << 30
	default:
		return 0, bad
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, bad
	}
	// A whole number of megabytes, so that the size in megabytes, rounded
	// up, is a size too.
	const maxKB = math.MaxInt64 >> 20 << 10
	if n > maxKB/kb {
		return 0, fmt.Errorf("%q is larger than any node's memory", s)
	}
	return (n*kb + 1023) >> 10, nil
}
