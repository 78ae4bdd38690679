package hcl

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

// MaxGridSize is the largest grid a search may enumerate.
const MaxGridSize = 1_000_000

var (
	strategies   = []string{string(definition.Grid), string(definition.Random), string(definition.Bayesian)}
	modes        = []string{string(definition.Min), string(definition.Max)}
	acquisitions = []string{definition.AcquisitionEI, definition.AcquisitionLCB, definition.AcquisitionPI}
)

func (l *loader) decodeSearch(b *hcl.Block, ctx *hcl.EvalContext) *definition.Search {
	errsBefore := len(l.diags.Errs())
	content, diags := b.Body.Content(searchSchema)
	l.add(diags...)
	s := &definition.Search{Name: b.Labels[0], Dir: l.dir, DeclRange: b.DefRange, BaseConfig: map[string]any{},
		ExperimentRoot: filepath.Join(l.dir, filepath.FromSlash(definition.DefaultExperimentRoot))}
	attrs := content.Attributes
	if a := attrs["experiment_root"]; a != nil {
		if v, ok := l.stringAttr(a, ctx); ok {
			if root, ok := l.experimentRoot(a, v); ok {
				s.ExperimentRoot = root
			}
		}
	}

	strategyKnown := false
	if a := attrs["strategy"]; a != nil && !l.nullRequired(a, ctx, fmt.Sprintf(" Set it to %s.", quoteList(strategies))) {
		if v, ok := l.enumAttr(a, ctx, "strategy", strategies); ok {
			s.Strategy, strategyKnown = definition.Strategy(v), true
		}
	}
	if a := attrs["metric"]; a != nil && !l.nullRequired(a, ctx, " Set it to the metric the search optimizes, a key of the metrics every trial reports.") {
		if v, ok := l.stringAttr(a, ctx); ok {
			if strings.TrimSpace(v) == "" {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Empty metric",
					Detail:   "metric names the key, in the metrics a trial reports, that the search optimizes; it cannot be empty.",
					Subject:  a.Expr.Range().Ptr(),
				})
			}
			s.Metric = v
		}
	}
	if a := attrs["mode"]; a != nil && !l.nullRequired(a, ctx, fmt.Sprintf(" Set it to %s.", quoteList(modes))) {
		if v, ok := l.enumAttr(a, ctx, "mode", modes); ok {
			s.Mode = definition.Mode(v)
		}
	}
	if a := attrs["seed"]; a != nil {
		if v, ok := l.intAttr(a, ctx, math.MinInt64, math.MaxInt64, "a whole number"); ok {
			s.Seed = v
		}
	}
	if a := attrs["parallelism"]; a != nil {
		if v, ok := l.intAttr(a, ctx, -1, 1<<16, "a positive number, or -1 for all CPUs"); ok {
			if v == 0 {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid parallelism",
					Detail:   "parallelism must be a positive number of trials run at once, or -1 for one per CPU; 0 would run nothing.",
					Subject:  a.Expr.Range().Ptr(),
				})
			}
			s.Parallelism = int(v)
		}
	}
	trialsAttr := attrs["trials"]
	trialsNull := trialsAttr != nil && l.isNull(trialsAttr, ctx)
	if trialsNull {
		// Null is absent where trials is not allowed (grid), and an error
		// where it is required.
		if strategyKnown && s.Strategy != definition.Grid {
			l.nullRequired(trialsAttr, ctx, fmt.Sprintf(" A %s search needs a budget: trials = N, the number of trials to run.", s.Strategy))
		}
		trialsAttr = nil
	}
	if strategyKnown && !trialsNull {
		switch {
		case s.Strategy == definition.Grid && trialsAttr != nil:
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "trials is not allowed for grid search",
				Detail:   "A grid search runs every point of its grid, so it has no budget. Remove trials, or use strategy = \"random\" to sample a budget of points.",
				Subject:  trialsAttr.Range.Ptr(),
			})
			trialsAttr = nil
		case s.Strategy != definition.Grid && trialsAttr == nil:
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing trials",
				Detail:   fmt.Sprintf("A %s search needs a budget: add trials = N, the number of trials to run.", s.Strategy),
				Subject:  attrs["strategy"].Range.Ptr(),
			})
		}
	}
	if trialsAttr != nil {
		if v, ok := l.intAttr(trialsAttr, ctx, 1, 1<<31-1, "at least 1"); ok {
			s.Trials = int(v)
		}
	}
	s.BaseConfigRange = b.DefRange
	// baseConfigOK: s.BaseConfig is the search's base config (pruner
	// blocks may read it), not the default left by an error.
	baseConfigOK := true
	if a := attrs["base_config"]; a != nil {
		s.BaseConfigRange = a.Expr.Range()
		unknownsBefore := l.decoding.unknowns
		v, ok := l.eval(a.Expr, ctx)
		// It may read a search whose outcome is not known (upstream.go).
		l.decoding.baseUnknown = l.decoding.unknowns > unknownsBefore
		baseConfigOK = ok && v.IsNull()
		if ok && !v.IsNull() {
			if !(v.Type().IsObjectType() || v.Type().IsMapType()) {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid base_config",
					Detail:   fmt.Sprintf("base_config must be an object, like { training = { lr = 0.001 } }; got %s.", friendlyType(v)),
					Subject:  a.Expr.Range().Ptr(),
				})
			} else if gv, err := goValue(v, ""); err != nil {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid base_config",
					Detail:   fmt.Sprintf("%s.", err),
					Subject:  a.Expr.Range().Ptr(),
				})
			} else {
				s.BaseConfig = gv.(map[string]any)
				baseConfigOK = true
			}
		}
	}

	var trialBlock, bayesBlock *hcl.Block
	params := map[string]*hcl.Block{}
	var dims []space.Dimension
	// A refine block (refine.go) defines its params first.
	refineBlocks := content.Blocks.OfType("refine")
	refined := map[string]*hcl.Block{}
	if len(refineBlocks) > 0 {
		for _, blk := range refineBlocks[1:] {
			l.duplicateBlock(blk, refineBlocks[0])
		}
		paths, ps := l.decodeRefine(refineBlocks[0], ctx, s, baseConfigOK)
		for _, path := range paths {
			refined[path] = refineBlocks[0]
		}
		for _, p := range ps {
			s.Params = append(s.Params, p)
			dims = append(dims, p.Dim)
		}
	}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "trial":
			if trialBlock != nil {
				l.duplicateBlock(blk, trialBlock)
				continue
			}
			trialBlock = blk
			l.decodeTrial(blk, ctx, s)
		case "bayesian":
			if bayesBlock != nil {
				l.duplicateBlock(blk, bayesBlock)
				continue
			}
			bayesBlock = blk
		case "param":
			path := blk.Labels[0]
			if prev, ok := params[path]; ok {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate param",
					Detail:   fmt.Sprintf("The param %q was already declared at %s. Each path is searched by one param block; remove one of them.", path, prev.DefRange),
					Subject:  blk.LabelRanges[0].Ptr(),
				})
				continue
			}
			params[path] = blk
			if rb := refined[path]; rb != nil {
				l.refinedTwice(blk, rb)
				continue
			}
			if p, ok := l.decodeParam(blk, ctx, s); ok {
				s.Params = append(s.Params, p)
				dims = append(dims, p.Dim)
			}
		}
	}
	l.decodeMetrics(attrs["metrics"], attrs["metric"], ctx, s)
	l.decodeTags(attrs["tags"], ctx, s)
	l.decodeGoTypes(attrs["go_types"], ctx, s)
	l.decodePruner(content.Blocks.OfType("pruner"), ctx, s, baseConfigOK)
	if trialBlock == nil {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing trial block",
			Detail:   "A search needs a trial block that says how to run one trial, like trial { command = [\"python3\", \"train.py\"] }.",
			Subject:  b.DefRange.Ptr(),
		})
	}
	if len(content.Blocks.OfType("param")) == 0 && len(refineBlocks) == 0 {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Search without params",
			Detail:   "This search declares no param block, so every trial runs the base config.",
			Subject:  b.DefRange.Ptr(),
		})
	}
	if bayesBlock != nil {
		if strategyKnown && s.Strategy != definition.Bayesian {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "bayesian block on a non-Bayesian search",
				Detail:   fmt.Sprintf("The bayesian block only applies with strategy = \"bayesian\"; this search uses %q. Remove the block or change the strategy.", s.Strategy),
				Subject:  bayesBlock.DefRange.Ptr(),
			})
		} else {
			s.Bayesian = l.decodeBayesian(bayesBlock, ctx, s)
		}
	}
	if s.Strategy == definition.Bayesian && s.Bayesian == nil && bayesBlock == nil {
		s.Bayesian = definition.DefaultBayesian(s.Trials)
	}

	if len(l.diags.Errs()) > errsBefore {
		return nil
	}
	if n := l.decoding.node; n != nil {
		s.Upstreams = n.upstreams()
	}
	if d := l.deferral(); d != nil {
		return deferredSearch(s, d)
	}
	conds := l.decodeWhens(content.Blocks.OfType("param"), ctx, s) // when.go
	if len(l.diags.Errs()) > errsBefore {
		return nil
	}
	sp, err := space.NewConditional(dims, conds)
	if err != nil {
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid search space", Detail: err.Error(), Subject: b.DefRange.Ptr()})
		return nil
	}
	s.Space = sp
	if s.Strategy == definition.Grid {
		if !l.checkGrid(s) {
			return nil
		}
	}
	return s
}

func (l *loader) checkGrid(s *definition.Search) bool {
	for _, p := range s.Params {
		if _, finite := p.Dim.GridSize(); !finite {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Grid search over a continuous param",
				Detail:   fmt.Sprintf("The param %q is a real range without a step, so a grid cannot enumerate it. Add step = ... (a divisor of high - low), give it values = [...], or use strategy = \"random\".", p.Path),
				Subject:  p.DeclRange.Ptr(),
			})
			return false
		}
	}
	n, err := s.Space.GridSize()
	if err == nil && n > MaxGridSize {
		err = fmt.Errorf("the grid has %d points, more than the %d a grid search may run", n, MaxGridSize)
	}
	if err != nil {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Grid too large",
			Detail:   fmt.Sprintf("%s. Use coarser steps or fewer values, or strategy = \"random\" with a budget.", err),
			Subject:  s.DeclRange.Ptr(),
		})
		return false
	}
	return true
}

// experimentRoot checks an experiment_root and resolves it against the
// directory of the search files. An absolute root is allowed (shared
// storage of a cluster), but not the filesystem root itself, nor with ".."
// segments; a relative root must stay inside the directory of the search
// files once cleaned ("a/../b" is "b"). Trial directories are created,
// and purged, under it, so a root that names more than intended would be
// dangerous.
func (l *loader) experimentRoot(a *hcl.Attribute, v string) (string, bool) {
	invalid := func(summary, detail string) (string, bool) {
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: a.Expr.Range().Ptr()})
		return "", false
	}
	const example = "Use a directory of its own, like the default \".fw/trials\" or, for shared storage, an absolute path like \"/shared/fw-trials\"."
	switch {
	case strings.TrimSpace(v) == "":
		return invalid("Empty experiment_root", "experiment_root is the directory that holds the trial directories; remove it for the default .fw/trials.")
	case strings.ContainsRune(v, 0):
		return invalid("Invalid experiment_root", "experiment_root contains a NUL character, which no path may hold. "+example)
	case filepath.IsAbs(v):
		clean := filepath.Clean(v)
		if clean == filepath.VolumeName(clean)+string(filepath.Separator) {
			return invalid("Invalid experiment_root", fmt.Sprintf("experiment_root %q is the root of the filesystem: trial directories would be created, and purged, directly under it. %s", v, example))
		}
		if slices.Contains(strings.FieldsFunc(v, isSeparator), "..") {
			return invalid("Invalid experiment_root", fmt.Sprintf("experiment_root %q has \"..\" segments. Write an absolute experiment_root without them, like %q.", v, clean))
		}
		return clean, true
	case !filepath.IsLocal(v):
		return invalid("Invalid experiment_root", fmt.Sprintf("experiment_root %q climbs out of the directory of the search files. "+
			"A relative experiment_root must stay inside that directory; give an absolute path for a directory elsewhere, like \"/shared/fw-trials\".", v))
	}
	return filepath.Join(l.dir, v), true
}

func isSeparator(r rune) bool { return r == '/' || r == filepath.Separator }

func (l *loader) duplicateBlock(b, prev *hcl.Block) {
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Duplicate %s block", b.Type),
		Detail:   fmt.Sprintf("A search has at most one %s block; the first one is at %s.", b.Type, prev.DefRange),
		Subject:  b.DefRange.Ptr(),
	})
}

// enumAttr decodes a string that must be one of allowed.
func (l *loader) enumAttr(a *hcl.Attribute, ctx *hcl.EvalContext, what string, allowed []string) (string, bool) {
	v, ok := l.stringAttr(a, ctx)
	if !ok {
		return "", false
	}
	for _, x := range allowed {
		if v == x {
			return v, true
		}
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s", what),
		Detail:   fmt.Sprintf("Unknown %s %q.%s Use %s.", what, v, Suggest(v, append([]string(nil), allowed...)), quoteList(allowed)),
		Subject:  a.Expr.Range().Ptr(),
	})
	return "", false
}

func (l *loader) decodeTrial(b *hcl.Block, ctx *hcl.EvalContext, s *definition.Search) {
	content, diags := b.Body.Content(trialSchema)
	l.add(diags...)
	cmdAttr, buildAttr := content.Attributes["command"], content.Attributes["go_build"]
	// One of command and go_build is required: null is absent, unless
	// it leaves neither.
	cmdNull := cmdAttr != nil && l.isNull(cmdAttr, ctx)
	buildNull := buildAttr != nil && l.isNull(buildAttr, ctx)
	const hint = " A trial block needs command = [\"python3\", \"train.py\"] (the argv of one trial), or go_build = \"./cmd/train\" (a Go package fwapply builds once per apply)."
	switch {
	case cmdNull && (buildAttr == nil || buildNull):
		l.nullRequired(cmdAttr, ctx, hint)
		cmdAttr, buildAttr = nil, nil
	case buildNull && cmdAttr == nil:
		l.nullRequired(buildAttr, ctx, hint)
		buildAttr = nil
	case cmdNull:
		cmdAttr = nil
	case buildNull:
		buildAttr = nil
	case cmdAttr == nil && buildAttr == nil:
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing trial command",
			Detail:   "A trial block needs command = [\"python3\", \"train.py\"] (the argv of one trial), or go_build = \"./cmd/train\" (a Go package fwapply builds once per apply).",
			Subject:  b.DefRange.Ptr(),
		})
	case cmdAttr != nil && buildAttr != nil:
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Both command and go_build",
			Detail:   "A trial runs either command or the program built from go_build; remove one of them.",
			Subject:  buildAttr.Range.Ptr(),
		})
	}
	if buildAttr != nil {
		if v, ok := l.stringAttr(buildAttr, ctx); ok {
			if strings.TrimSpace(v) == "" || !(strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") || v == ".") {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid go_build",
					Detail:   fmt.Sprintf("go_build names a Go main package relative to the directory of the search files, like \"./cmd/train\"; got %q.", v),
					Subject:  buildAttr.Expr.Range().Ptr(),
				})
			} else {
				s.Trial.GoBuild = v
			}
		}
	}
	if a := cmdAttr; a != nil {
		v, ok := l.evalAs(a, ctx, cty.List(cty.String), "a list of strings")
		if ok {
			var argv []string
			if !v.IsNull() {
				for it := v.ElementIterator(); it.Next(); {
					_, e := it.Element()
					if e.IsNull() {
						argv = append(argv, "")
						continue
					}
					argv = append(argv, e.AsString())
				}
			}
			switch {
			case len(argv) == 0:
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Empty trial command",
					Detail:   "command is the argv of one trial and needs at least the program, like [\"python3\", \"train.py\"].",
					Subject:  a.Expr.Range().Ptr(),
				})
			case strings.TrimSpace(argv[0]) == "":
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Empty trial program",
					Detail:   "The first element of command is the program to run; it cannot be empty.",
					Subject:  a.Expr.Range().Ptr(),
				})
			}
			s.Trial.Command = argv
		}
	}
	if a := content.Attributes["timeout"]; a != nil {
		if v, ok := l.stringAttr(a, ctx); ok {
			d, diag := positiveDuration(a, v, `"90s", "30m" or "2h30m"`,
				"The timeout must be positive, got %q. Remove timeout for no limit.")
			if diag != nil {
				l.add(diag)
			} else {
				s.Trial.Timeout = d
			}
		}
	}
	if a := content.Attributes["env"]; a != nil {
		v, ok := l.evalAs(a, ctx, cty.Map(cty.String), "a map of strings")
		if ok && !v.IsNull() {
			env := map[string]string{}
			for it := v.ElementIterator(); it.Next(); {
				k, e := it.Element()
				name := k.AsString()
				if name == "" || strings.ContainsAny(name, "=\x00") {
					l.add(&hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid environment variable name",
						Detail:   fmt.Sprintf("%q cannot name an environment variable: names are non-empty and hold no '=' or NUL.", name),
						Subject:  a.Expr.Range().Ptr(),
					})
					continue
				}
				if e.IsNull() {
					env[name] = ""
				} else {
					env[name] = e.AsString()
				}
			}
			s.Trial.Env = env
		}
	}
	l.decodeTrialExecutor(content.Attributes["executor"], s)
}

// positiveDuration parses v, the string value of the attribute a, as a
// positive duration. Else it returns the error "Invalid <name>": for a v
// that is not a duration, with examples (like `"30s" or "2m"`) of what to
// write; for one that is not positive, with notPositive, a format whose
// one verb (%q) is v.
func positiveDuration(a *hcl.Attribute, v, examples, notPositive string) (time.Duration, *hcl.Diagnostic) {
	d, err := time.ParseDuration(v)
	var detail string
	switch {
	case err != nil:
		detail = fmt.Sprintf("%q is not a duration. Write a number with a unit, like %s.", v, examples)
	case d <= 0:
		detail = fmt.Sprintf(notPositive, v)
	default:
		return d, nil
	}
	return 0, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + a.Name,
		Detail:   detail,
		Subject:  a.Expr.Range().Ptr(),
	}
}

func (l *loader) decodeBayesian(b *hcl.Block, ctx *hcl.EvalContext, s *definition.Search) *definition.BayesianOptions {
	content, diags := b.Body.Content(bayesianSchema)
	l.add(diags...)
	o := definition.DefaultBayesian(s.Trials)
	attrs := content.Attributes
	if a := attrs["initial_points"]; a != nil {
		if v, ok := l.intAttr(a, ctx, 1, 1<<31-1, "at least 1"); ok {
			o.InitialPoints = int(v)
			if s.Trials > 0 && o.InitialPoints > s.Trials {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "initial_points exceeds trials",
					Detail:   fmt.Sprintf("initial_points (%d) is more than the budget of %d trials, so the model would never be used. Lower initial_points or raise trials.", o.InitialPoints, s.Trials),
					Subject:  a.Expr.Range().Ptr(),
				})
			}
		}
	}
	if a := attrs["acquisition"]; a != nil {
		if v, ok := l.enumAttr(a, ctx, "acquisition", acquisitions); ok {
			o.Acquisition = v
			o.Xi = definition.DefaultXi(v)
		}
	}
	for _, name := range []string{"xi", "kappa"} {
		a := attrs[name]
		if a == nil {
			continue
		}
		v, ok := l.floatAttr(a, ctx)
		if !ok {
			continue
		}
		if v < 0 {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid " + name,
				Detail:   fmt.Sprintf("%s sets how much the acquisition explores and cannot be negative, got %g.", name, v),
				Subject:  a.Expr.Range().Ptr(),
			})
			continue
		}
		wrong := (name == "xi" && o.Acquisition == definition.AcquisitionLCB) || (name == "kappa" && o.Acquisition != definition.AcquisitionLCB)
		if wrong {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  fmt.Sprintf("%s has no effect with acquisition %q", name, o.Acquisition),
				Detail:   "xi tunes ei and pi; kappa tunes lcb.",
				Subject:  a.Range.Ptr(),
			})
		}
		if name == "xi" {
			o.Xi = v
		} else {
			o.Kappa = v
		}
	}
	if a := attrs["pruned_trials"]; a != nil {
		if v, ok := l.enumAttr(a, ctx, "pruned_trials", definition.PrunedTrialsOptions); ok {
			o.PrunedTrials = v
		}
	}
	if a := attrs["explore_every"]; a != nil {
		if v, ok := l.intAttr(a, ctx, 0, 1<<31-1, "at least 0 (0 turns exploration off)"); ok {
			o.ExploreEvery = int(v)
		}
	}
	if a := attrs["explore_kappa"]; a != nil {
		if v, ok := l.floatAttr(a, ctx); ok {
			if v <= 0 { // floatAttr has refused infinities
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid explore_kappa",
					Detail:   fmt.Sprintf("explore_kappa is the width of the bound an exploring proposal minimizes, in posterior standard deviations, and must be a positive number, got %g. To turn exploration off, set explore_every = 0.", v),
					Subject:  a.Expr.Range().Ptr(),
				})
			} else {
				o.ExploreKappa = v
			}
		}
	}
	if a := attrs["stall_trials"]; a != nil {
		if v, ok := l.intAttr(a, ctx, 1, 1<<31-1, "at least 1"); ok {
			o.StallTrials = int(v)
		}
	}
	return o
}

func friendlyType(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return v.Type().FriendlyName()
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	if len(q) <= 1 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// decodeMetrics decodes `metrics = [...]`: the metrics a trial reports,
// with the objective always among them. metricAttr is the search's metric
// attribute, checked against the list for typos.
func (l *loader) decodeMetrics(a, metricAttr *hcl.Attribute, ctx *hcl.EvalContext, s *definition.Search) {
	var names []string
	if a != nil {
		v, ok := l.evalAs(a, ctx, cty.List(cty.String), "a list of strings")
		if ok && !v.IsNull() {
			seen := map[string]bool{}
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				name := ""
				if !e.IsNull() {
					name = e.AsString()
				}
				switch {
				case strings.TrimSpace(name) == "":
					l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid metrics", Detail: "A metric name cannot be empty.", Subject: a.Expr.Range().Ptr()})
					continue
				case seen[name]:
					l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid metrics", Detail: fmt.Sprintf("The metric %q is listed twice.", name), Subject: a.Expr.Range().Ptr()})
					continue
				}
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	if s.Metric != "" && !slices.Contains(names, s.Metric) {
		l.checkMetricTypo(metricAttr, s.Metric, names)
		names = append([]string{s.Metric}, names...)
	}
	s.Metrics = names
}

// checkMetricTypo reports a metric that is not in the metrics list but
// close to a name in it (by the rule of closest): most likely a typo,
// which would make every trial fail for want of its objective. A metric
// not close to any listed one is the objective besides them, as ever.
func (l *loader) checkMetricTypo(metricAttr *hcl.Attribute, metric string, listed []string) {
	match, ok := closest(metric, listed)
	if !ok || metricAttr == nil {
		return
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Metric may be a typo",
		Detail: fmt.Sprintf("The metric %q is not in metrics, which lists the similar %q: did you mean %q? "+
			"If the trials really report %q besides the listed metrics, add it to metrics.", metric, match, match, metric),
		Subject: metricAttr.Expr.Range().Ptr(),
	})
}

// goTypes are the Go types go_types may give a config path.
var goTypes = []string{"bool", "float64", "int", "int64", "string"}

// decodeGoTypes decodes `go_types = { "path" = "type" }`: overrides of the
// Go type fwgen gives a config path.
func (l *loader) decodeGoTypes(a *hcl.Attribute, ctx *hcl.EvalContext, s *definition.Search) {
	if a == nil {
		return
	}
	v, ok := l.evalAs(a, ctx, cty.Map(cty.String), "a map of strings")
	if !ok || v.IsNull() {
		return
	}
	s.GoTypes = map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		path := k.AsString()
		typ := ""
		if !e.IsNull() {
			typ = e.AsString()
		}
		if !slices.Contains(goTypes, typ) {
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid go_types", Detail: fmt.Sprintf("%q is not a Go type go_types can set for %q.%s Use %s.", typ, path, Suggest(typ, slices.Clone(goTypes)), quoteList(goTypes)), Subject: a.Expr.Range().Ptr()})
			continue
		}
		_, inBase := definition.LookupPath(s.BaseConfig, strings.Split(path, "."))
		isParam := slices.ContainsFunc(s.Params, func(p definition.Param) bool { return p.Path == path })
		if !inBase && !isParam && !l.decoding.baseUnknown {
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid go_types", Detail: fmt.Sprintf("%q is neither a base_config path nor a param of this search.", path), Subject: a.Expr.Range().Ptr()})
			continue
		}
		s.GoTypes[path] = typ
	}
}

// decodeTags decodes `tags = [...]`: labels for the search's experiments.
func (l *loader) decodeTags(a *hcl.Attribute, ctx *hcl.EvalContext, s *definition.Search) {
	if a == nil {
		return
	}
	v, ok := l.evalAs(a, ctx, cty.List(cty.String), "a list of strings")
	if !ok || v.IsNull() {
		return
	}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || strings.TrimSpace(e.AsString()) == "" || strings.ContainsAny(e.AsString(), ",\n") {
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid tags", Detail: "A tag is a non-empty string without commas or newlines.", Subject: a.Expr.Range().Ptr()})
			continue
		}
		if !slices.Contains(s.Tags, e.AsString()) {
			s.Tags = append(s.Tags, e.AsString())
		}
	}
}
