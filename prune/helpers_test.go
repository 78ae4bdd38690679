package prune

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// parseSteps reads "1=0.5 2=nan 4=inf 5=-inf" as steps.
func parseSteps(t testing.TB, s string) []Step {
	t.Helper()
	var out []Step
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			t.Fatalf("bad step %q", f)
		}
		st, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Step{st, x})
	}
	return out
}

// trial helpers for the tables: the progress is parsed by parseSteps.
type spec struct {
	n     int
	steps string
	state byte // 'r' running, 'd' done (completed), 'e' ended otherwise
}

func running(n int, steps string) spec { return spec{n, steps, 'r'} }
func done(n int, steps string) spec    { return spec{n, steps, 'd'} }
func ended(n int, steps string) spec   { return spec{n, steps, 'e'} }

func (p spec) trial(t testing.TB) Trial {
	return Trial{Number: p.n, Steps: parseSteps(t, p.steps), Ended: p.state != 'r', Completed: p.state == 'd'}
}

func trialsOf(t testing.TB, specs []spec) []Trial {
	out := make([]Trial, len(specs))
	for i, p := range specs {
		out[i] = p.trial(t)
	}
	return out
}

// sameDecision compares decisions, NaN values being equal.
func sameDecision(a, b Decision) bool {
	va, vb := a.Value, b.Value
	a.Value, b.Value = 0, 0
	return a == b && (va == vb || math.IsNaN(va) && math.IsNaN(vb))
}

func ptr(v int64) *int64 { return &v }
