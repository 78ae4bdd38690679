package apply

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/search"
	"github.com/frameworm/frameworm/space"
)

// gatedStrategy is random search whose proposals first call gate (if
// set); it counts the proposals computing at once and keeps every
// request and proposal.
type gatedStrategy struct {
	gate      func(call int) error
	mu        sync.Mutex
	requests  []search.Request
	proposed  []space.Point
	computing atomic.Int32
	most      atomic.Int32
}

func (g *gatedStrategy) Propose(req search.Request, n int) ([]space.Point, error) {
	c := g.computing.Add(1)
	defer g.computing.Add(-1)
	for m := g.most.Load(); c > m && !g.most.CompareAndSwap(m, c); m = g.most.Load() {
	}
	g.mu.Lock()
	call := len(g.requests)
	g.requests = append(g.requests, req)
	g.mu.Unlock()
	if g.gate != nil {
		if err := g.gate(call); err != nil {
			return nil, err
		}
	}
	points, err := search.Random{}.Propose(req, n)
	g.mu.Lock()
	g.proposed = append(g.proposed, points...)
	g.mu.Unlock()
	return points, err
}

// endObserver closes ended once the trial numbered trial has ended.
type endObserver struct {
	trial int
	once  sync.Once
	ended chan struct{}
}

func (o *endObserver) Observe(ev Event) {
	if ev.Kind == TrialEnded && ev.Trial != nil && ev.Trial.Number == o.trial {
		o.once.Do(func() { close(o.ended) })
	}
}

// A trial that ends while the strategy computes the next proposal is
// recorded and reported at once: the planned first trial ends only once
// the proposal of the second has begun, and that proposal waits for the
// first one's end to be reported. With the runner's lock held through
// the proposal, the two would wait for each other until the proposal
// gives up.
func TestTrialEndsDuringProposal(t *testing.T) {
	def := testDef(t, 3, 2)
	asking := make(chan struct{})
	var askingOnce sync.Once
	r, _, p := newRunner(t, def, nil)
	first := p.Searches[0].ToRun[0].Number
	obs := &endObserver{trial: first, ended: make(chan struct{})}
	g := &gatedStrategy{gate: func(call int) error {
		askingOnce.Do(func() { close(asking) })
		if call > 0 {
			return nil
		}
		select {
		case <-obs.ended:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("the first trial's end was not reported while the proposal computed")
		}
	}}
	r.Executor = &fakeExecutor{outcome: func(spec runtime.Spec) runtime.Outcome {
		if spec.Number == first {
			select {
			case <-asking:
			case <-time.After(10 * time.Second):
			}
		}
		return runtime.Completed
	}}
	r.Observer = obs
	r.strategyFor = func(*definition.Search) (search.Strategy, error) { return g, nil }
	for i := range p.Searches[0].ToRun[1:] {
		p.Searches[0].ToRun[1+i].Point = nil // the first planned, the others proposed
	}
	if _, err := r.Run(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	if got := len(r.State.Trials("s")); got != 3 {
		t.Fatalf("%d trials recorded, want 3", got)
	}
	// The second trial's proposal had the first pending: it began
	// before the first ended.
	if req := g.requests[0]; len(req.Pending) != 1 || len(req.Observations) != 0 {
		t.Errorf("the second trial's request: %d pending, %d observations; want the first pending", len(req.Pending), len(req.Observations))
	}
}

// The proposals of a search are made one at a time, and each one's
// request has every earlier proposal, pending or observed.
func TestProposalsOneAtATime(t *testing.T) {
	def := testDef(t, 12, 4)
	g := &gatedStrategy{gate: func(int) error {
		time.Sleep(5 * time.Millisecond) // time for others to overlap
		return nil
	}}
	r, _, p := newRunner(t, def, &fakeExecutor{delay: 3 * time.Millisecond})
	r.strategyFor = func(*definition.Search) (search.Strategy, error) { return g, nil }
	for i := range p.Searches[0].ToRun {
		p.Searches[0].ToRun[i].Point = nil
	}
	if _, err := r.Run(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	if most := g.most.Load(); most != 1 {
		t.Errorf("%d proposals computed at once, want 1", most)
	}
	if len(g.requests) != 12 || len(g.proposed) != 12 {
		t.Fatalf("%d requests, %d proposals; want 12", len(g.requests), len(g.proposed))
	}
	for i, req := range g.requests {
		known := slices.Clone(req.Pending)
		for _, o := range req.Observations {
			known = append(known, o.Point)
		}
		for _, q := range g.proposed[:i] {
			if !slices.ContainsFunc(known, func(k space.Point) bool { return slices.Equal(k, q) }) {
				t.Errorf("request %d has not proposal %v (pending %v, %d observations)", i, q, req.Pending, len(req.Observations))
			}
		}
	}
}
