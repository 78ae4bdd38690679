package slurm

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// The poller watches every job an Executor waits for with one squeue call
// per interval, whatever the number of jobs: the scheduler's load grows
// with the interval, not with the search.

// Adaptive polling: minPoll after a change or a new job, growing by
// pollGrowth up to maxPoll while nothing changes.
const (
	minPoll    = time.Second
	maxPoll    = 30 * time.Second
	pollGrowth = 1.5
	// kickDelay is how soon the poller looks after a new job arrived, so
	// that jobs submitted together are asked about together.
	kickDelay = 200 * time.Millisecond
)

// update is what one poll says of a job.
type update struct {
	row     queueRow
	present bool  // squeue listed the job
	err     error // squeue cannot be run at all
}

// watch is one waiter's subscription to a job.
type watch struct {
	id string
	ch chan update // holds the latest update only
}

type poller struct {
	squeue func(ctx context.Context, ids []string) (map[string]queueRow, error)
	fixed  time.Duration // Config.Poll; 0 is adaptive
	stop   <-chan struct{}

	mu      sync.Mutex
	watches map[string]map[*watch]bool
	kick    chan struct{} // a new watch, or a waiter asking for a look soon
	urgent  chan struct{} // a waiter that cancelled its job asking for a look soon
	done    chan struct{}
}

func newPoller(squeue func(ctx context.Context, ids []string) (map[string]queueRow, error), fixed time.Duration, stop <-chan struct{}) *poller {
	p := &poller{squeue: squeue, fixed: fixed, stop: stop, watches: map[string]map[*watch]bool{}, kick: make(chan struct{}, 1), urgent: make(chan struct{}, 1), done: make(chan struct{})}
	go p.loop()
	return p
}

// watch subscribes to the job id; the caller must unwatch.
func (p *poller) watch(id string) *watch {
	w := &watch{id: id, ch: make(chan update, 1)}
	p.mu.Lock()
	if p.watches[id] == nil {
		p.watches[id] = map[*watch]bool{}
	}
	p.watches[id][w] = true
	p.mu.Unlock()
	p.soon()
	return w
}

func (p *poller) unwatch(w *watch) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.watches[w.id], w)
	if len(p.watches[w.id]) == 0 {
		delete(p.watches, w.id)
	}
}

// soon asks for a look at the queue soon (adaptive polling only: a fixed
// interval is the user's choice).
func (p *poller) soon() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// now asks for a look at the queue soon, with a fixed interval too: a
// waiter that cancelled its job (an interrupt, a withdrawal) must learn
// promptly that it has left the queue, not one interval later.
func (p *poller) now() {
	select {
	case p.urgent <- struct{}{}:
	default:
	}
}

// wait returns once the poller has stopped.
func (p *poller) wait() { <-p.done }

func (p *poller) loop() {
	defer close(p.done)
	interval := p.fixed
	if interval <= 0 {
		interval = minPoll
	}
	timer := time.NewTimer(interval)
	defer timer.Stop()
	next := time.Now().Add(interval)
	last := map[string]update{}
	for {
		select {
		case <-p.stop:
			return
		case <-p.kick:
			if p.fixed > 0 {
				continue
			}
			interval = minPoll
			if time.Until(next) > kickDelay {
				timer.Reset(kickDelay)
				next = time.Now().Add(kickDelay)
			}
			continue
		case <-p.urgent:
			if time.Until(next) > kickDelay {
				timer.Reset(kickDelay)
				next = time.Now().Add(kickDelay)
			}
			continue
		case <-timer.C:
		}
		changed := p.pollOnce(last)
		switch {
		case p.fixed > 0:
			interval = p.fixed
		case changed:
			interval = minPoll
		default:
			interval = min(time.Duration(float64(interval)*pollGrowth), maxPoll)
		}
		timer.Reset(interval)
		next = time.Now().Add(interval)
	}
}

// pollOnce asks squeue about every watched job and tells each waiter. It
// reports whether anything changed since the last poll.
func (p *poller) pollOnce(last map[string]update) bool {
	p.mu.Lock()
	ids := slices.Sorted(maps.Keys(p.watches))
	p.mu.Unlock()
	if len(ids) == 0 {
		clear(last)
		return false
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-p.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	rows, err := p.squeue(ctx, ids)
	cancel()
	if err != nil {
		if !notStartable(err) {
			return false // the controller may be busy: ask again later
		}
		rows = nil
	}
	changed := false
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		row, present := rows[id]
		u := update{row: row, present: present}
		if err != nil {
			u = update{err: err}
		}
		if prev, ok := last[id]; !ok || prev.present != u.present || prev.row.State != u.row.State || prev.row.Reason != u.row.Reason {
			changed = true
		}
		last[id] = u
		for w := range p.watches[id] {
			select {
			case <-w.ch: // drop the older update
			default:
			}
			w.ch <- u
		}
	}
	for id := range last {
		if p.watches[id] == nil {
			delete(last, id)
		}
	}
	return changed
}
