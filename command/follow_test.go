package command

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/state"
)

// followFake is a backend for followState: its state's serial, an outage
// (loads and watches fail), watches refused while the loads answer, and
// the channel of the current watch.
type followFake struct {
	mu          sync.Mutex
	serial      uint64
	down        bool
	upNext      bool // the outage ends at the next watch, the top of a loop
	refuse      int  // watches to refuse once the backend is up
	ch          chan struct{}
	failedLoads int
	watches     int // watches set up
}

func (f *followFake) LoadWith(context.Context, state.LoadOptions) (*state.State, []state.Warning, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		f.failedLoads++
		return nil, nil, errors.New("connection refused")
	}
	return &state.State{Serial: f.serial}, nil, nil
}

func (f *followFake) Watch(context.Context) (<-chan struct{}, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.upNext {
		f.down, f.upNext = false, false
	}
	if f.down {
		return nil, errors.New("connection refused")
	}
	if f.refuse > 0 {
		f.refuse--
		return nil, errors.New("listen refused")
	}
	f.watches++
	f.ch = make(chan struct{}, 1)
	return f.ch, nil
}

func (f *followFake) do(fn func(*followFake)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *followFake) get(fn func(*followFake) int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fn(f)
}

// TestFollowStateRewatch: once a broken watch is set up again, show -watch
// draws the state only if it changed or a load failed since the last
// draw. It draws once when the backend is back after an outage, even when
// its watch is refused at first (the pg listener can lag the loads, which
// retry), and not again when the watch then comes back.
func TestFollowStateRewatch(t *testing.T) {
	defer func(g time.Duration) { watchMinGap = g }(watchMinGap)
	watchMinGap = 0
	for _, tt := range []struct {
		name   string
		outage bool
		refuse int
		want   []uint64 // the serials drawn
	}{
		{"outage, watch at once", true, 0, []uint64{1, 1, 2}},
		{"outage, watch refused once", true, 1, []uint64{1, 1, 2}},
		{"outage, watch refused twice", true, 2, []uint64{1, 1, 1, 2}}, // one more poll
		{"watch broken, no outage", false, 0, []uint64{1, 2}},
		{"watch broken and refused, no outage", false, 1, []uint64{1, 1, 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &followFake{serial: 1}
			var mu sync.Mutex
			var drawn []uint64
			draws := func() int { mu.Lock(); defer mu.Unlock(); return len(drawn) }
			var stderr bytes.Buffer
			done := make(chan int, 1)
			a := &arguments.Show{Interval: 5 * time.Millisecond, WatchCount: len(tt.want)}
			go func() {
				done <- followState(context.Background(), f, "fake", a, &views.View{Stdout: &bytes.Buffer{}, Stderr: &stderr},
					func(*state.State) error { return nil },
					func(st *state.State) { mu.Lock(); drawn = append(drawn, st.Serial); mu.Unlock() })
			}()
			waitFor(t, func() bool { return draws() == 1 }, "the first draw")
			f.do(func(f *followFake) { f.down, f.refuse = tt.outage, tt.refuse; close(f.ch) })
			if tt.outage {
				waitFor(t, func() bool { return f.get(func(f *followFake) int { return f.failedLoads }) > 0 }, "a failed load")
				f.do(func(f *followFake) { f.upNext = true })
			}
			waitFor(t, func() bool {
				return f.get(func(f *followFake) int { return f.watches }) == 2 || draws() == len(tt.want)
			}, "the watch set up again")
			time.Sleep(50 * time.Millisecond) // 10 intervals: time to draw what should not be
			if n := draws(); n >= len(tt.want) {
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("drew serials %v before the change, want %v", drawn, tt.want)
			}
			f.do(func(f *followFake) { f.serial = 2; f.ch <- struct{}{} })
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatalf("no draw of the change; drew %v", drawn)
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(drawn, tt.want) {
				t.Errorf("drew serials %v, want %v", drawn, tt.want)
			}
		})
	}
}
