package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/frameworm/frameworm/space"
)

// schemaVersion changes whenever the fingerprinted model or the meaning of
// the generated code changes, so that old fingerprints never match.
const schemaVersion = 1

type fpType struct {
	Go     string    `json:"go"`
	Fields []fpField `json:"fields,omitempty"`
	Elem   *fpType   `json:"elem,omitempty"`
	Values []any     `json:"values,omitempty"`
	Consts []string  `json:"consts,omitempty"`
	Base   string    `json:"base,omitempty"`
}

type fpField struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	Type fpType `json:"type"`
}

type fpConstraint struct {
	Path   string  `json:"path"`
	Kind   string  `json:"kind"`
	Low    float64 `json:"low,omitempty"`
	High   float64 `json:"high,omitempty"`
	Log    bool    `json:"log,omitempty"`
	Step   float64 `json:"step,omitempty"`
	Values []any   `json:"values,omitempty"`
	When   string  `json:"when,omitempty"`
}

type fpSearch struct {
	Name        string         `json:"name"`
	Constraints []fpConstraint `json:"constraints"`
}

// computeFingerprint hashes the canonical JSON of the type model.
func (p *pkg) computeFingerprint() string {
	doc := struct {
		V        int         `json:"v"`
		Config   fpType      `json:"config"`
		Metrics  [][2]string `json:"metrics"`
		Metric   string      `json:"metric"`
		Searches []fpSearch  `json:"searches"`
	}{V: schemaVersion, Config: fpTypeOf(p.root), Metric: p.objective}
	for _, m := range p.metrics {
		doc.Metrics = append(doc.Metrics, [2]string{m, p.metricNames[m]})
	}
	for _, s := range p.searches {
		fs := fpSearch{Name: s.Name, Constraints: []fpConstraint{}}
		for _, prm := range s.Params {
			c := fpConstraint{Path: prm.Path}
			switch d := prm.Dim.(type) {
			case *space.Real:
				c.Kind, c.Low, c.High, c.Log, c.Step = "real", d.Low, d.High, d.Log, d.Step
			case *space.Integer:
				c.Kind, c.Low, c.High, c.Log, c.Step = "integer", float64(d.Low), float64(d.High), d.Log, float64(d.Step)
			case *space.Categorical:
				c.Kind, c.Values = "categorical", d.Values
			}
			if prm.When != nil {
				c.When = prm.When.Text
			}
			fs.Constraints = append(fs.Constraints, c)
		}
		doc.Searches = append(doc.Searches, fs)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		// Every value above is a string, bool or finite float64.
		panic(fmt.Sprintf("gen: fingerprint: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func fpTypeOf(t *typ) fpType {
	f := fpType{Go: t.goType()}
	switch t.kind {
	case kStruct:
		f.Fields = []fpField{}
		for _, k := range t.keys {
			f.Fields = append(f.Fields, fpField{Key: k, Name: t.fieldName[k], Type: fpTypeOf(t.fields[k])})
		}
	case kList:
		e := fpTypeOf(t.elem)
		f.Elem = &e
	case kEnum:
		f.Values, f.Consts, f.Base = t.values, t.consts, scalarNames[t.base]
	}
	return f
}
