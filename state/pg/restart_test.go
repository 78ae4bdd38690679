package pg_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/pgtest"
	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/pg"
)

// TestServerRestart stops and starts a private server under backends that
// hold locks and write.
func TestServerRestart(t *testing.T) {
	srv := pgtest.Start(t)
	cfg := func(retry time.Duration) pg.Config {
		return pg.Config{ConnStr: srv.DSN, Schema: pgtest.Schema(t, srv.DSN), Workspace: "w", RetryTimeout: retry}
	}
	// Every subtest leaves the server running.

	t.Run("LockSurvivesRestart", func(t *testing.T) {
		c := cfg(time.Minute)
		b := open(t, c)
		mustLoad(t, b)
		unlock, err := b.Lock(bg, state.LockInfo{Operation: "apply"})
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		if err := b.Append(bg, put(0)); err != nil {
			t.Fatal(err)
		}
		srv.Stop(t)
		srv.Start(t)
		if err := b.CheckLock(bg); err != nil {
			t.Fatalf("CheckLock after a restart: %v; want the lock taken again", err)
		}
		if err := b.Append(bg, put(1)); err != nil {
			t.Fatalf("Append after a restart: %v", err)
		}
		other := open(t, c)
		if info, live, _ := other.LockHolder(bg); info == nil || live == state.HolderGone {
			t.Fatalf("after the restart the lock is not held again: %+v %v", info, live)
		}
		if s := mustLoad(t, other); s.Serial != 2 || s.Len() != 2 {
			t.Fatalf("after the restart: serial %d, %d trials; want 2, 2", s.Serial, s.Len())
		}
	})

	t.Run("AppendWaitsForTheServer", func(t *testing.T) {
		b := open(t, cfg(time.Minute))
		mustLoad(t, b)
		unlock, err := b.Lock(bg, state.LockInfo{Operation: "apply"})
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		if err := b.Append(bg, put(0)); err != nil {
			t.Fatal(err)
		}
		srv.Stop(t)
		done := make(chan error, 1)
		go func() { done <- b.Append(bg, put(1)) }()
		if err := b.CheckLock(bg); err != nil {
			t.Errorf("CheckLock while the server is down, within the retry timeout: %v; want nil", err)
		}
		select {
		case err := <-done:
			t.Fatalf("Append returned while the server was down: %v", err)
		case <-time.After(time.Second):
		}
		srv.Start(t)
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Append once the server is back: %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Fatal("Append still waiting 60 s after the server came back")
		}
		if err := b.Append(bg, put(2)); err != nil {
			t.Fatal(err)
		}
		if s := mustLoad(t, b); s.Serial != 3 || s.Len() != 3 {
			t.Fatalf("serial %d, %d trials; want 3, 3", s.Serial, s.Len())
		}
	})

	t.Run("GivesUpAfterRetryTimeout", func(t *testing.T) {
		const bound = 2 * time.Second
		b := open(t, cfg(bound))
		mustLoad(t, b)
		unlock, err := b.Lock(bg, state.LockInfo{Operation: "apply"})
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		if err := b.Append(bg, put(0)); err != nil {
			t.Fatal(err)
		}
		srv.Stop(t)
		err = b.Append(bg, put(1))
		if err == nil || !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), "retry_timeout") {
			t.Fatalf("Append with the server kept down: %v; want an error after the retry timeout", err)
		}
		if err := b.CheckLock(bg); err == nil {
			t.Error("CheckLock after the retry timeout passed: nil; want an error")
		}
		// Past the bound, a write tries once: it does not wait out
		// another retry timeout.
		start := time.Now()
		if err := b.Append(bg, put(1)); err == nil {
			t.Fatal("second Append with the server down succeeded")
		}
		if d := time.Since(start); d >= bound {
			t.Errorf("second Append took %v: it waited again instead of failing at once", d)
		}
		srv.Start(t)
		// The outage is over: writes work again, and the lock is still
		// this backend's.
		if err := b.CheckLock(bg); err != nil {
			t.Fatalf("CheckLock once the server is back: %v", err)
		}
		if err := b.Append(bg, put(1)); err != nil {
			t.Fatalf("Append once the server is back: %v", err)
		}
		if s := mustLoad(t, b); s.Serial != 2 || s.Len() != 2 {
			t.Fatalf("serial %d, %d trials; want 2, 2", s.Serial, s.Len())
		}
	})

	t.Run("LockTakenDuringTheOutage", func(t *testing.T) {
		c := cfg(time.Minute)
		a, b := open(t, c), open(t, c)
		mustLoad(t, a)
		if _, err := a.Lock(bg, state.LockInfo{Operation: "apply"}); err != nil {
			t.Fatal(err)
		}
		srv.Stop(t)
		srv.Start(t)
		unlock, err := b.Lock(bg, state.LockInfo{Operation: "import"})
		if err != nil {
			t.Fatalf("Lock after the holder's session ended in a restart: %v", err)
		}
		defer unlock()
		var lost *state.LockLostError
		if err := a.CheckLock(bg); !errors.As(err, &lost) || !strings.Contains(lost.How, "taken by another process") {
			t.Fatalf("CheckLock of a holder whose lock was taken during the outage: %v; want a LockLostError", err)
		}
		if err := a.Append(bg, put(0)); !errors.As(err, &lost) {
			t.Fatalf("Append of a holder whose lock was taken: %v; want a LockLostError", err)
		}
	})
}

// proxy relays TCP connections to the server and can cut one connection
// right after the server answers a statement: the statement was committed,
// but the client does not know.
type proxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	cutOn  []byte // cut the connection whose server data holds this
	cuts   int
}

func newProxy(t *testing.T, target string) *proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{l: l, target: target}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.relay(c)
		}
	}()
	return p
}

func (p *proxy) relay(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	go func() { io.Copy(server, client); server.Close() }()
	buf := make([]byte, 64<<10)
	for {
		n, err := server.Read(buf)
		if n > 0 {
			p.mu.Lock()
			cut := p.cutOn != nil && bytes.Contains(buf[:n], p.cutOn)
			if cut {
				p.cutOn = nil
				p.cuts++
			}
			p.mu.Unlock()
			if cut {
				break
			}
			if _, err := client.Write(buf[:n]); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	client.Close()
	server.Close()
}

func (p *proxy) armCut(tag string) {
	p.mu.Lock()
	p.cutOn = []byte(tag)
	p.mu.Unlock()
}

func (p *proxy) cutCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cuts
}

// TestCommittedWriteIsNotRepeated: a write whose connection is lost after
// the server committed it is retried, finds itself stored and succeeds,
// without storing the change twice or failing on its own serial.
func TestCommittedWriteIsNotRepeated(t *testing.T) {
	dsn := pgtest.DSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.l.Addr().String()
	for _, locked := range []bool{false, true} {
		name := "Unlocked"
		if locked {
			name = "Locked"
		}
		t.Run(name, func(t *testing.T) {
			b := open(t, pg.Config{ConnStr: u.String(), Schema: pgtest.Schema(t, dsn)})
			s := mustLoad(t, b)
			if locked {
				unlock, err := b.Lock(bg, state.LockInfo{Operation: "apply"})
				if err != nil {
					t.Fatal(err)
				}
				defer unlock()
			}
			record := func(c state.Change) {
				t.Helper()
				if err := b.Append(bg, c); err != nil {
					t.Fatalf("Append: %v", err)
				}
				s.Apply(c)
			}
			record(put(0)) // creates the workspace
			cuts := p.cutCount()
			p.armCut("INSERT 0 1")
			record(put(1))
			if p.cutCount() != cuts+1 {
				t.Fatal("the proxy did not cut the connection")
			}
			p.armCut("COMMIT")
			batch := []state.Change{put(2), put(3)}
			if err := b.AppendBatch(bg, batch); err != nil {
				t.Fatalf("AppendBatch: %v", err)
			}
			for _, c := range batch {
				s.Apply(c)
			}
			if p.cutCount() != cuts+2 {
				t.Fatal("the proxy did not cut the batch's connection")
			}
			record(put(4))
			if locked {
				if err := b.CheckLock(bg); err != nil {
					t.Fatalf("CheckLock: %v", err)
				}
			}
			got := mustLoad(t, open(t, pg.Config{ConnStr: dsn, Schema: pgtestSchemaOf(b)}))
			if got.Serial != 5 || got.Len() != 5 {
				t.Fatalf("serial %d, %d trials; want 5, 5", got.Serial, got.Len())
			}
		})
	}
}
