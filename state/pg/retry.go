package pg

import (
	"context"
	"sync"
	"time"
)

// Retrying while the server is away. An outage begins with the first
// connection-class error and ends with the first success. Writes retry
// with backoff (100 ms doubling to 5 s) until RetryTimeout has passed
// since the outage began, not since the call began: once the bound is
// passed, every later write tries once and fails at once, so that an
// apply stopping after the bound does not wait again for each trial.
// Errors from the server about the statement itself (a conflict, a
// constraint) are never retried.

const (
	firstBackoff = 100 * time.Millisecond
	maxBackoff   = 5 * time.Second
)

// outage is when the current outage began (zero: none).
type outage struct {
	mu    sync.Mutex
	since time.Time
}

// began records a failure and returns when the outage began.
func (o *outage) began() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() {
		o.since = time.Now()
	}
	return o.since
}

func (o *outage) ended() {
	o.mu.Lock()
	o.since = time.Time{}
	o.mu.Unlock()
}

// withinBound reports whether an outage that began at since may still be
// waited out.
func (b *Backend) withinBound(since time.Time) bool {
	return b.cfg.RetryTimeout > 0 && time.Since(since) < b.cfg.RetryTimeout
}

// retry runs op until it succeeds, fails with an error that is not a
// connection failure, or the outage outlasts RetryTimeout. attempt counts
// from 0; an op called again after a connection failure must check
// whether its earlier attempt was committed after all.
func (b *Backend) retry(ctx context.Context, what string, op func(attempt int) error) error {
	wait := firstBackoff
	for attempt := 0; ; attempt++ {
		err := op(attempt)
		if err == nil {
			b.out.ended()
			return nil
		}
		if !isConnErr(err) {
			return err
		}
		since := b.out.began()
		if !b.withinBound(since) {
			return b.unreachable(err, what, since)
		}
		t := time.NewTimer(min(wait, b.cfg.RetryTimeout-time.Since(since)+time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return b.wrapf(ctx.Err(), "%s on %s: stopped waiting for the server (%s)", what, b.desc, scrubSecrets(err.Error(), b.secrets))
		case <-t.C:
		}
		wait = min(2*wait, maxBackoff)
	}
}

// unreachable is the error of a write given up on.
func (b *Backend) unreachable(err error, what string, since time.Time) error {
	if b.cfg.RetryTimeout <= 0 {
		return b.wrapf(err, "%s on %s: the server is unreachable (retry_timeout is off)", what, b.desc)
	}
	return b.wrapf(err, "%s on %s: the server has been unreachable since %s, more than retry_timeout (%v)",
		what, b.desc, since.Format("15:04:05"), b.cfg.RetryTimeout)
}
