package pg

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Watch implements state.Watcher: it LISTENs on a connection of its own and
// sends on the channel when a write to the workspace commits (several
// writes may give one value: the channel holds at most one). The channel
// is closed when ctx is done or the connection breaks.
func (b *Backend) Watch(ctx context.Context) (<-chan struct{}, error) {
	conn, err := b.connect(ctx)
	if err != nil {
		return nil, b.wrapf(b.openError(err), "watching %s", b.desc)
	}
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{notifyChannel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, b.wrapf(err, "watching %s", b.desc)
	}
	ch := make(chan struct{}, 1)
	go func() {
		defer close(ch)
		defer func() {
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			conn.Close(cctx)
			cancel()
		}()
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				return
			}
			if n.Payload != b.payload {
				continue
			}
			select {
			case ch <- struct{}{}:
			default: // one is pending already
			}
		}
	}()
	return ch, nil
}
