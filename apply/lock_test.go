package apply

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

// fakeLock is a state lock that can be taken away.
type fakeLock struct {
	lost   atomic.Bool
	checks atomic.Int32
}

func (l *fakeLock) CheckLock(context.Context) error {
	l.checks.Add(1)
	if l.lost.Load() {
		return &state.LockLostError{Path: "fw.state", Info: state.LockInfo{ID: "mine"},
			Holder: &state.LockInfo{ID: "theirs", Who: "mallory@elsewhere", PID: 4242, Operation: "apply"}}
	}
	return nil
}

// blockingExecutor runs each trial until its context is done, or for
// delay when delay is set, or until release is closed when quick says so.
type blockingExecutor struct {
	started     chan int
	count       atomic.Int32
	interrupted atomic.Int32
	delay       time.Duration
	quick       func(number int) bool
	release     chan struct{}
}

func (b *blockingExecutor) Run(ctx context.Context, spec runtime.Spec) runtime.Result {
	b.count.Add(1)
	b.started <- spec.Number
	res := runtime.Result{Started: time.Now(), Host: "fake"}
	wait := b.delay
	if b.quick != nil && b.quick(spec.Number) {
		<-b.release
		wait = time.Nanosecond
	}
	if wait == 0 {
		wait = time.Minute // a failsafe: the test fails below if it gets here
	}
	select {
	case <-ctx.Done():
		b.interrupted.Add(1)
		res.Outcome, res.Error = runtime.Interrupted, "interrupted"
	case <-time.After(wait):
		res.Outcome, res.Metrics = runtime.Completed, map[string]float64{"loss": spec.Params["x"].(float64)}
	}
	res.Ended = time.Now()
	return res
}

func wantLockLost(t *testing.T, err error) {
	t.Helper()
	var lost *state.LockLostError
	if !errors.As(err, &lost) || lost.Holder == nil || lost.Holder.ID != "theirs" {
		t.Fatalf("Run: %v, want a *state.LockLostError naming the new holder", err)
	}
	for _, want := range []string{"mallory@elsewhere (pid 4242)", "stopped its running trials and wrote nothing more to the state"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestLockLostWhileTrialsRun: the periodic check finds the lock gone while
// trials run: they are stopped, no trial starts, nothing is written.
func TestLockLostWhileTrialsRun(t *testing.T) {
	def := testDef(t, 8, 2)
	ex := &blockingExecutor{started: make(chan int, 8)}
	r, j, p := newRunner(t, def, ex)
	lock := &fakeLock{}
	r.Lock = lock
	r.Options.LockCheckInterval = 10 * time.Millisecond
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := r.Run(context.Background(), nil, p)
		done <- outcome{res, err}
	}()
	<-ex.started
	<-ex.started
	j.mu.Lock()
	written := len(j.changes) // the settings and two running trials
	lock.lost.Store(true)
	j.mu.Unlock()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop after the lock was lost")
	}
	wantLockLost(t, o.err)
	if sr := o.res.Searches[0]; sr.StoppedBy != "the state lock was taken from this apply" || sr.NotRun != 6 {
		t.Errorf("result %+v, want stopped by the lost lock with 6 not run", sr)
	}
	if written != 3 || len(j.changes) != written {
		t.Errorf("%d records, %d when the lock was lost (want 3, and none after)", len(j.changes), written)
	}
	if n := ex.count.Load(); n != 2 {
		t.Errorf("%d trials started, want the 2 running when the lock was lost", n)
	}
}

// TestLockLostBeforeWrite: the check before a write finds the lock gone
// (no periodic check in time): the trial's end is not written, and no
// other trial starts.
func TestLockLostBeforeWrite(t *testing.T) {
	def := testDef(t, 4, 1)
	ex := &blockingExecutor{started: make(chan int, 4), release: make(chan struct{}), quick: func(int) bool { return true }}
	r, j, p := newRunner(t, def, ex)
	lock := &fakeLock{}
	r.Lock = lock
	r.Options.LockCheckInterval = time.Hour
	go func() {
		<-ex.started
		lock.lost.Store(true)
		close(ex.release)
	}()
	_, err := r.Run(context.Background(), nil, p)
	wantLockLost(t, err)
	if len(j.changes) != 2 || j.changes[1].Put == nil || j.changes[1].Put.Status != state.Running {
		t.Errorf("records %+v, want the settings and trial 0 running", j.changes)
	}
	if n := ex.count.Load(); n != 1 {
		t.Errorf("%d trials started, want 1", n)
	}
}

// TestLockLostBeforeStart: a lock lost before the apply's first write
// stops it before any trial starts.
func TestLockLostBeforeStart(t *testing.T) {
	def := testDef(t, 4, 2)
	ex := &blockingExecutor{started: make(chan int, 4), delay: time.Millisecond}
	r, j, p := newRunner(t, def, ex)
	lock := &fakeLock{}
	lock.lost.Store(true)
	r.Lock = lock
	_, err := r.Run(context.Background(), nil, p)
	wantLockLost(t, err)
	if len(j.changes) != 0 || ex.count.Load() != 0 {
		t.Errorf("%d records and %d trials after a lost lock, want none", len(j.changes), ex.count.Load())
	}
}

// TestLockCheckedBeforeEveryWrite: with the lock held, every record is
// preceded by a check, and the apply runs as without a lock.
func TestLockCheckedBeforeEveryWrite(t *testing.T) {
	def := testDef(t, 8, 3)
	ex := &fakeExecutor{delay: time.Millisecond}
	r, j, p := newRunner(t, def, ex)
	lock := &fakeLock{}
	r.Lock = lock
	r.Options.LockCheckInterval = time.Hour
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Searches[0].Completed != 8 {
		t.Errorf("result %+v", res.Searches[0])
	}
	if c := int(lock.checks.Load()); c < len(j.changes) || len(j.changes) != 17 {
		t.Errorf("%d lock checks for %d records, want one before each of 17", c, len(j.changes))
	}
}

// TestLockLostStopsOtherTrials: when one trial's end finds the lock gone,
// the other running trials are stopped at once, not left to finish.
func TestLockLostStopsOtherTrials(t *testing.T) {
	def := testDef(t, 4, 2)
	ex := &blockingExecutor{started: make(chan int, 4), release: make(chan struct{})}
	r, j, p := newRunner(t, def, ex)
	ex.quick = func(n int) bool { return n == p.Searches[0].ToRun[0].Number }
	lock := &fakeLock{}
	r.Lock = lock
	r.Options.LockCheckInterval = time.Hour
	go func() {
		<-ex.started
		<-ex.started
		lock.lost.Store(true)
		close(ex.release)
	}()
	_, err := r.Run(context.Background(), nil, p)
	wantLockLost(t, err)
	if n := ex.interrupted.Load(); n != 1 {
		t.Errorf("%d trials interrupted, want the one still running", n)
	}
	if len(j.changes) != 3 || ex.count.Load() != 2 {
		t.Errorf("%d records and %d trials started, want 3 and 2", len(j.changes), ex.count.Load())
	}
}
