package definition

import (
	"slices"
	"strings"

	"github.com/frameworm/frameworm/space"
)

// Settings returns the search's definition as plain JSON data in the
// language's own terms: the attributes of the search block, the base
// config, one `param "PATH"` object per param, and the trial and bayesian
// blocks. Applies record it in the state so that a later plan can say what
// changed since, including what changes no config (parallelism, tags).
// Values are JSON-native: map[string]any, []any, string, bool, int64 and
// float64, so a stored copy compares equal after a reload. The trial's
// executor is left out: where trials run is not the search's definition,
// and `-executor=local` for a quick try must not show as a change.
func (s *Search) Settings() map[string]any {
	m := map[string]any{
		"strategy":    string(s.Strategy),
		"metric":      s.Metric,
		"mode":        string(s.Mode),
		"seed":        s.Seed,
		"parallelism": int64(s.Parallelism),
		"base_config": CopyValue(s.BaseConfig),
	}
	if s.Strategy != Grid {
		m["trials"] = int64(s.Trials)
	}
	if len(s.Metrics) > 0 {
		m["metrics"] = stringList(s.Metrics)
	}
	if len(s.Tags) > 0 {
		m["tags"] = stringList(s.Tags)
	}
	for _, p := range s.Params {
		m[`param "`+p.Path+`"`] = paramSettings(p.Spec())
	}
	trial := map[string]any{}
	if len(s.Trial.Command) > 0 {
		trial["command"] = stringList(s.Trial.Command)
	}
	if s.Trial.GoBuild != "" {
		trial["go_build"] = s.Trial.GoBuild
	}
	if s.Trial.Timeout > 0 {
		trial["timeout"] = s.Trial.Timeout.String()
	}
	if len(s.Trial.Env) > 0 {
		env := map[string]any{}
		for k, v := range s.Trial.Env {
			env[k] = v
		}
		trial["env"] = env
	}
	m["trial"] = trial
	if b := s.Bayesian; b != nil {
		m["bayesian"] = map[string]any{
			"initial_points": int64(b.InitialPoints), "acquisition": b.Acquisition, "xi": b.Xi, "kappa": b.Kappa,
		}
		// Only when set otherwise: states recorded before the attribute
		// existed do not show it as a change.
		if b.PrunedTrials != "" && b.PrunedTrials != DefaultPrunedTrials {
			m["bayesian"].(map[string]any)["pruned_trials"] = b.PrunedTrials
		}
		// The same for exploration, added later still.
		for _, o := range []struct {
			key    string
			v, def any
		}{
			{"explore_every", int64(b.ExploreEvery), int64(DefaultExploreEvery)},
			{"explore_kappa", b.ExploreKappa, DefaultExploreKappa},
			{"stall_trials", int64(b.StallTrials), int64(DefaultStallTrials)},
		} {
			if o.v != o.def {
				m["bayesian"].(map[string]any)[o.key] = o.v
			}
		}
	}
	if p := s.Pruner; p != nil {
		m[p.settingsKey()] = p.settings()
	}
	return m
}

func paramSettings(sp ParamSpec) map[string]any {
	m := map[string]any{"type": sp.Kind}
	if sp.When != "" {
		m["when"] = sp.When
	}
	if sp.Kind == "categorical" {
		delete(m, "type")
		vals := make([]any, len(sp.Values))
		for i, v := range sp.Values {
			vals[i] = jsonNumber(v)
		}
		m["values"] = vals
		return m
	}
	m["low"], m["high"] = jsonNumber(sp.Low), jsonNumber(sp.High)
	if sp.Log {
		m["log"] = true
	}
	if sp.Step != nil {
		m["step"] = jsonNumber(sp.Step)
	}
	return m
}

// jsonNumber turns a space value into a JSON-native one: whole float64s
// stay float64 and int64s stay int64, which DiffConfigs compares as equal
// numbers anyway.
func jsonNumber(v space.Value) any {
	if i, ok := v.(int); ok {
		return int64(i)
	}
	return v
}

func stringList(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

// SettingsChanges lists what changed between two Settings, one change
// per leaf (a param added or removed whole is one change), sorted with the
// search's own attributes first.
func SettingsChanges(old, new map[string]any) []ConfigChange {
	changes := DiffConfigs(old, new)
	slices.SortStableFunc(changes, func(a, b ConfigChange) int {
		return strings.Compare(settingsOrder(a.Path), settingsOrder(b.Path))
	})
	return changes
}

// settingsOrder sorts top-level attributes before blocks and base_config.
func settingsOrder(path string) string {
	switch {
	case strings.HasPrefix(path, "base_config"):
		return "2" + path
	case strings.HasPrefix(path, "param "):
		return "1" + path
	case path == "trial" || strings.HasPrefix(path, "trial.") || path == "bayesian" || strings.HasPrefix(path, "bayesian."),
		strings.HasPrefix(path, "pruner "):
		return "3" + path
	}
	return "0" + path
}

// FormatSettingsChange writes one settings change in the language's
// terms: `parallelism 2 → 4`, `param "x" added`, `tags removed`.
func FormatSettingsChange(c ConfigChange) string {
	switch {
	case c.Old == nil:
		if isLabeledBlock(c.Path) {
			return c.Path + " added"
		}
		return c.Path + " = " + settingsValue(c.Path, c.New) + " added"
	case c.New == nil:
		if isLabeledBlock(c.Path) {
			return c.Path + " removed"
		}
		return c.Path + " removed (was " + settingsValue(c.Path, c.Old) + ")"
	}
	return c.Path + " " + settingsValue(c.Path, c.Old) + " → " + settingsValue(c.Path, c.New)
}

// isLabeledBlock reports whether a settings path is a whole labeled block,
// `param "PATH"` or `pruner "KIND"`, rather than one of its attributes.
func isLabeledBlock(path string) bool {
	for _, prefix := range []string{"param ", "pruner "} {
		if label, ok := strings.CutPrefix(path, prefix); ok {
			return !strings.Contains(label, `".`)
		}
	}
	return false
}
