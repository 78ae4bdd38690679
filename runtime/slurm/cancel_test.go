package slurm

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestCancellerBatches: ids asked for while a scancel call runs go
// together into the next call (at most maxCancelIDs each), every id is
// cancelled exactly once, and each caller gets its own call's error.
func TestCancellerBatches(t *testing.T) {
	var (
		mu    sync.Mutex
		calls [][]string
	)
	gate := make(chan struct{})
	c := &canceller{scancel: func(ids []string) error {
		mu.Lock()
		calls = append(calls, slices.Clone(ids))
		first := len(calls) == 1
		mu.Unlock()
		if first {
			<-gate // the others queue up behind the first call
		}
		if slices.Contains(ids, "bad") {
			return errors.New("scancel: Kill job error on job id bad: Access/permission denied")
		}
		if slices.Contains(ids, "gone") {
			return errors.New("scancel: Invalid job id specified")
		}
		return nil
	}}
	const n = 1200
	errs := make([]error, n+2)
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = c.cancel("first") })
	for len(callsNow(&mu, &calls)) == 0 {
		time.Sleep(time.Millisecond)
	}
	var queued sync.WaitGroup
	for i := 1; i <= n; i++ {
		queued.Add(1)
		wg.Go(func() { queued.Done(); errs[i] = c.cancel(fmt.Sprint(i)) })
	}
	queued.Wait()
	// Every goroutine has started; give them a moment to join a batch.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c.mu.Lock()
		joined := len(c.full) * maxCancelIDs
		if c.next != nil {
			joined += len(c.next.ids)
		}
		c.mu.Unlock()
		if joined == n {
			break
		}
	}
	close(gate)
	wg.Wait()
	got := callsNow(&mu, &calls)
	if want := 1 + (n+maxCancelIDs-1)/maxCancelIDs; len(got) != want {
		t.Errorf("%d scancel calls for 1 + %d ids, want %d", len(got), n, want)
	}
	seen := map[string]int{}
	for _, ids := range got {
		if len(ids) > maxCancelIDs {
			t.Errorf("a call with %d ids, over %d", len(ids), maxCancelIDs)
		}
		for _, id := range ids {
			seen[id]++
		}
	}
	if len(seen) != n+1 {
		t.Errorf("%d ids cancelled, want %d", len(seen), n+1)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("id %s in %d calls", id, k)
		}
	}
	for i, err := range errs[:n+1] {
		if err != nil {
			t.Errorf("cancel %d: %v", i, err)
		}
	}

	// Errors: a call's error goes to its callers; Slurm not knowing a
	// job is none.
	if err := c.cancel("gone"); err != nil {
		t.Errorf("cancel of a job Slurm does not know: %v", err)
	}
	if err := c.cancel("bad"); err == nil {
		t.Error("cancel whose scancel failed: no error")
	}
}

func callsNow(mu *sync.Mutex, calls *[][]string) [][]string {
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(*calls)
}
