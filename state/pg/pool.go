package pg

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// pool keeps a few idle connections for the reads and the writes made
// without a lock. A connection that broke is dropped; one idle for more
// than a second is pinged before use, so that a restart of the server
// since is found out before a statement is sent.
type pool struct {
	connect func(context.Context) (*pgx.Conn, error)

	mu     sync.Mutex
	idle   []idleConn
	closed bool
}

type idleConn struct {
	conn  *pgx.Conn
	since time.Time
}

const (
	maxIdle   = 2
	pingAfter = time.Second
)

var errPoolClosed = errors.New("the backend is closed")

// acquire returns a connection for the caller's use alone; release it.
func (p *pool) acquire(ctx context.Context) (*pgx.Conn, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, errPoolClosed
		}
		if len(p.idle) == 0 {
			p.mu.Unlock()
			return p.connect(ctx)
		}
		ic := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		p.mu.Unlock()
		if time.Since(ic.since) > pingAfter {
			if err := ic.conn.Ping(ctx); err != nil {
				ic.conn.Close(context.Background())
				if ctx.Err() != nil {
					return nil, err
				}
				continue
			}
		}
		return ic.conn, nil
	}
}

// release gives a connection back: kept if it is healthy and idle (not in
// a transaction), else closed.
func (p *pool) release(conn *pgx.Conn) {
	if conn == nil {
		return
	}
	if !conn.IsClosed() && conn.PgConn().TxStatus() == 'I' {
		p.mu.Lock()
		if !p.closed && len(p.idle) < maxIdle {
			p.idle = append(p.idle, idleConn{conn, time.Now()})
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn.Close(ctx)
}

// close closes the idle connections; those in use are closed on release.
func (p *pool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, ic := range idle {
		ic.conn.Close(ctx)
	}
}

// withConn runs f on a pooled connection.
func (b *Backend) withConn(ctx context.Context, f func(conn *pgx.Conn) error) error {
	conn, err := b.pool.acquire(ctx)
	if err != nil {
		return err
	}
	defer b.pool.release(conn)
	return f(conn)
}
