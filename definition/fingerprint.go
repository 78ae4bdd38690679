package definition

import (
	"fmt"

	"github.com/frameworm/frameworm/space"
)

// fingerprintVersion changes whenever the fingerprinted shape changes, so
// that old fingerprints never collide with new ones.
const fingerprintVersion = 1

// Fingerprint returns a stable hash of the search's meaning: strategy,
// metric, mode, budget, seed, base config, space, trial command and Bayesian
// options. Source formatting, attribute order, file names, parallelism
// (which changes how fast a search runs, not which configs it may try) and
// the trial's executor (where trials run, not what they compute) do not
// change it.
func (s *Search) Fingerprint() string {
	doc := struct {
		V          int               `json:"v"`
		Strategy   Strategy          `json:"strategy"`
		Metric     string            `json:"metric"`
		Mode       Mode              `json:"mode"`
		Trials     int               `json:"trials"`
		Seed       int64             `json:"seed"`
		BaseConfig map[string]any    `json:"base_config"`
		Params     []ParamSpec       `json:"params"`
		Command    []string          `json:"command"`
		GoBuild    string            `json:"go_build,omitempty"`
		TimeoutNS  int64             `json:"timeout_ns"`
		Env        map[string]string `json:"env"`
		Bayesian   *BayesianOptions  `json:"bayesian"`
	}{
		V: fingerprintVersion, Strategy: s.Strategy, Metric: s.Metric, Mode: s.Mode,
		Trials: s.Trials, Seed: s.Seed, BaseConfig: s.BaseConfig,
		Command: s.Trial.Command, GoBuild: s.Trial.GoBuild, TimeoutNS: int64(s.Trial.Timeout), Env: s.Trial.Env,
		Bayesian: s.Bayesian,
	}
	for _, p := range s.Params {
		doc.Params = append(doc.Params, describeParam(p))
	}
	h, err := Hash(doc)
	if err != nil {
		// Every value in a loaded definition is JSON-encodable; reaching
		// this is a bug in the loader.
		panic(fmt.Sprintf("definition: fingerprint of search %q: %v", s.Name, err))
	}
	return h
}

// SpaceFingerprint hashes only what decides which configs a search can
// produce: the base config and the space. Trials recorded under the same
// space fingerprint are comparable.
func (s *Search) SpaceFingerprint() string {
	doc := struct {
		BaseConfig map[string]any `json:"base_config"`
		Params     []ParamSpec    `json:"params"`
	}{BaseConfig: s.BaseConfig}
	for _, p := range s.Params {
		doc.Params = append(doc.Params, describeParam(p))
	}
	h, err := Hash(doc)
	if err != nil {
		panic(fmt.Sprintf("definition: space fingerprint of search %q: %v", s.Name, err))
	}
	return h
}

// ParamSpec describes a param as plain data, for fingerprints and exports.
type ParamSpec struct {
	Path   string        `json:"path"`
	Kind   string        `json:"kind"`
	Low    any           `json:"low,omitempty"`
	High   any           `json:"high,omitempty"`
	Log    bool          `json:"log,omitempty"`
	Step   any           `json:"step,omitempty"`
	Values []space.Value `json:"values,omitempty"`
	// When is the canonical text of the param's condition ("" without
	// one): it decides which configs exist.
	When string `json:"when,omitempty"`
}

// Spec describes the param as plain data.
func (p Param) Spec() ParamSpec { return describeParam(p) }

func describeParam(p Param) ParamSpec {
	d := ParamSpec{Path: p.Path}
	switch dim := p.Dim.(type) {
	case *space.Real:
		d.Kind, d.Low, d.High, d.Log = "real", dim.Low, dim.High, dim.Log
		if dim.Step != 0 {
			d.Step = dim.Step
		}
	case *space.Integer:
		d.Kind, d.Low, d.High, d.Log = "integer", dim.Low, dim.High, dim.Log
		if dim.Step > 1 {
			d.Step = dim.Step
		}
	case *space.Categorical:
		d.Kind, d.Values = "categorical", dim.Values
	default:
		d.Kind = fmt.Sprintf("%T", dim)
	}
	if p.When != nil {
		d.When = p.When.Text
	}
	return d
}
