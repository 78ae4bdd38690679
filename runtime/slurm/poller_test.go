package slurm

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestPollerFixedInterval: with a fixed interval, a new watch (soon)
// does not bring the next look forward, but a cancellation (now) does,
// once, and each look reaches the waiter.
func TestPollerFixedInterval(t *testing.T) {
	var calls atomic.Int32
	squeue := func(context.Context, []string) (map[string]queueRow, error) {
		calls.Add(1)
		return map[string]queueRow{"7": {ID: "7", State: "PENDING"}}, nil
	}
	stop := make(chan struct{})
	p := newPoller(squeue, time.Hour, stop)
	defer func() { close(stop); p.wait() }()
	w := p.watch("7")
	defer p.unwatch(w)
	p.soon()
	time.Sleep(3 * kickDelay)
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d squeue calls within %v of a watch with a fixed interval of an hour, want 0", n, 3*kickDelay)
	}
	p.now()
	select {
	case u := <-w.ch:
		if !u.present || u.row.State != "PENDING" {
			t.Errorf("update %+v", u)
		}
	case <-time.After(time.Minute):
		t.Fatal("no look at the queue after now() with a fixed interval")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d squeue calls, want 1", n)
	}
}
