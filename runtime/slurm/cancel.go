package slurm

import (
	"strings"
	"sync"
)

// maxCancelIDs bounds the job ids of one scancel call.
const maxCancelIDs = 500

// canceller gathers the scancel requests of an executor's waiters: the
// ids asked for while one scancel call runs go together into the next,
// so that cancelling a thousand queued trials (a second interrupt, the
// tasks of an array withdrawn by a failure stop) takes a few calls
// rather than a thousand, each of which is a request to slurmctld.
type canceller struct {
	// scancel runs one scancel call for ids.
	scancel func(ids []string) error

	mu   sync.Mutex
	next *cancelBatch   // the batch requests join; nil when none is open
	full []*cancelBatch // batches that filled up before the loop took them, in order
	busy bool           // a goroutine is running batches
}

type cancelBatch struct {
	ids  []string
	err  error
	done chan struct{}
}

// cancel cancels job id, together with the other ids asked for at about
// the same time, and returns the error of its scancel call. A job Slurm
// no longer knows, or that already ended, is not an error.
func (c *canceller) cancel(id string) error {
	c.mu.Lock()
	b := c.next
	if b == nil || len(b.ids) >= maxCancelIDs {
		if b != nil {
			// Full: it runs as it is; a new one follows it.
			c.full = append(c.full, b)
		}
		b = &cancelBatch{done: make(chan struct{})}
		c.next = b
	}
	b.ids = append(b.ids, id)
	if !c.busy {
		c.busy = true
		go c.loop()
	}
	c.mu.Unlock()
	<-b.done
	return b.err
}

// loop runs the open batches one scancel call at a time until none is
// left.
func (c *canceller) loop() {
	c.mu.Lock()
	for {
		var b *cancelBatch
		switch {
		case len(c.full) > 0:
			b, c.full = c.full[0], c.full[1:]
		case c.next != nil:
			b, c.next = c.next, nil
		default:
			c.busy = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		b.err = c.scancel(b.ids)
		if b.err != nil && strings.Contains(b.err.Error(), "Invalid job id") {
			b.err = nil
		}
		close(b.done)
		c.mu.Lock()
	}
}
