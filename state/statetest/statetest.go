// Package statetest is the conformance suite for state backends: every
// state.Backend (the local file, PostgreSQL, ...) must pass Run.
//
// Contract: Run calls newBackend once per subtest and expects a backend over
// fresh, empty storage each time; a second Load on the same backend must
// read the storage again, not return a cached State. Backends that also
// implement state.Batcher, state.Compacter or state.Locker are checked for
// those too.
package statetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/state"
)

// Run runs the conformance suite.
func Run(t *testing.T, newBackend func(t *testing.T) state.Backend) {
	t.Run("EmptyLoad", func(t *testing.T) { testEmptyLoad(t, newBackend(t)) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, newBackend(t)) })
	t.Run("Values", func(t *testing.T) { testValues(t, newBackend(t)) })
	t.Run("SerialPerChange", func(t *testing.T) { testSerial(t, newBackend(t)) })
	t.Run("NextNumberSurvivesRemove", func(t *testing.T) { testNextNumber(t, newBackend(t)) })
	t.Run("RejectsBadChanges", func(t *testing.T) { testBadChanges(t, newBackend(t)) })
	t.Run("ConcurrentAppend", func(t *testing.T) { testConcurrent(t, newBackend(t)) })
	t.Run("Compact", func(t *testing.T) { testCompact(t, newBackend(t)) })
	t.Run("Settings", func(t *testing.T) { testSettings(t, newBackend(t)) })
	t.Run("Batch", func(t *testing.T) { testBatch(t, newBackend(t)) })
	t.Run("BatchIntoEmpty", func(t *testing.T) { testBatchIntoEmpty(t, newBackend(t)) })
	t.Run("Replace", func(t *testing.T) { testReplace(t, newBackend(t)) })
	t.Run("ReplaceEmpty", func(t *testing.T) { testReplaceEmpty(t, newBackend(t)) })
	t.Run("Lock", func(t *testing.T) { testLock(t, newBackend) })
	t.Run("LockInspector", func(t *testing.T) { testLockInspector(t, newBackend(t)) })
}

// Diff returns a human-readable difference between two states (lineage,
// serial, and every search's next number and trials), or "" when they are
// equal. Values keep their Go types: int64(2) differs from float64(2).
func Diff(want, got *state.State) string {
	return cmp.Diff(view(want), view(got))
}

type stateView struct {
	Lineage  string
	Serial   uint64
	Len      int
	Searches map[string]searchView
	Settings map[string]map[string]any
}

type searchView struct {
	Next   int
	Trials []*state.Trial
}

func view(s *state.State) stateView {
	v := stateView{Lineage: s.Lineage, Serial: s.Serial, Len: s.Len(), Searches: map[string]searchView{}}
	for _, name := range s.Searches() {
		v.Searches[name] = searchView{Next: s.NextNumber(name), Trials: s.Trials(name)}
	}
	for _, name := range s.SettingsSearches() {
		if v.Settings == nil {
			v.Settings = map[string]map[string]any{}
		}
		v.Settings[name] = s.Settings(name)
	}
	return v
}

// Trial returns a realistic trial: 5 params and a nested config of 10
// leaves mixing int64, float64 (whole ones too), strings, bools and lists,
// and 3 metrics. Its values depend on number; odd numbers ran on a
// scheduler (Job and Queued set).
func Trial(search string, number int) *state.Trial {
	n := int64(number)
	lr := 1e-4 * float64(number%97+1)
	started := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC).Add(time.Duration(number) * time.Minute)
	t := &state.Trial{
		Search: search,
		Number: number,
		Params: map[string]any{
			"training.lr":         lr,
			"training.batch_size": 32 * (n%4 + 1),
			"model.hidden_dim":    int64(128),
			"model.dropout":       float64(n % 2), // a whole float64: must stay float64
			"optimizer":           []string{"adam", "sgd"}[number%2],
		},
		Config: map[string]any{
			"training":  map[string]any{"lr": lr, "batch_size": 32 * (n%4 + 1), "epochs": int64(5), "warmup": 0.1},
			"model":     map[string]any{"hidden_dim": int64(128), "dropout": float64(n % 2), "layers": []any{int64(64), int64(32)}},
			"optimizer": []string{"adam", "sgd"}[number%2],
			"seed":      n,
			"amp":       number%3 == 0,
		},
		ConfigHash: fmt.Sprintf("%064x", n*2654435761),
		Status:     state.Completed,
		Metrics:    map[string]float64{"val_loss": 1 / float64(number+1), "val_acc": 0.5 + float64(number%50)/100, "train_loss": 0.25},
		Attempts:   1,
		Started:    started,
		Ended:      started.Add(90 * time.Second),
		Host:       "local:testhost pid 1234",
		Dir:        fmt.Sprintf(".fwapply/trials/%s/%d", search, number),
	}
	if number%2 == 1 { // run by a scheduler: its job and queue wait
		t.Host = fmt.Sprintf("slurm:node1 job 4242_%d", number)
		t.Job = fmt.Sprintf("slurm:4242_%d", number)
		t.Queued = time.Duration(number)*1500*time.Millisecond + 7*time.Millisecond
	}
	return t
}

// apply applies a change to s and appends it to b.
func apply(t *testing.T, b state.Backend, s *state.State, c state.Change) {
	t.Helper()
	if err := b.Append(context.Background(), c); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := s.Apply(c); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

func load(t *testing.T, b state.Backend) *state.State {
	t.Helper()
	s, warns, err := b.Load(context.Background())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(warns) > 0 {
		t.Errorf("Load warnings: %v", warns)
	}
	return s
}

func testEmptyLoad(t *testing.T, b state.Backend) {
	s := load(t, b)
	if s.Serial != 0 || s.Len() != 0 || len(s.Searches()) != 0 {
		t.Errorf("empty load: serial %d, %d trials, searches %v; want an empty state", s.Serial, s.Len(), s.Searches())
	}
	if len(s.Lineage) != 36 {
		t.Errorf("empty load: lineage %q is not a UUID", s.Lineage)
	}
	if s2 := load(t, b); s2.Lineage == s.Lineage {
		t.Errorf("two loads of a missing state gave the same lineage %q; want a fresh one each time", s.Lineage)
	}
}

func testRoundTrip(t *testing.T, b state.Backend) {
	s := load(t, b)
	running := Trial("coarse", 1)
	running.Status, running.Metrics, running.Ended = state.Running, nil, time.Time{}
	failed := Trial("fine", 0)
	failed.Status, failed.Metrics, failed.Error, failed.Attempts = state.Failed, nil, `exit status 1: "quoted" <html> & ünïcode`, 3
	tainted := Trial("coarse", 2)
	tainted.Tainted = true
	tainted.Started = tainted.Started.In(time.FixedZone("CET", 3600))
	for _, c := range []state.Change{
		{Put: Trial("coarse", 0)},
		{Put: running},
		{Put: tainted},
		{Put: Trial("coarse", 1)}, // replaces the running one
		{Put: failed},
		{Remove: &state.TrialRef{Search: "coarse", Number: 0}},
	} {
		apply(t, b, s, c)
	}
	if d := Diff(s, load(t, b)); d != "" {
		t.Errorf("loaded state differs from the appended one (-want +got):\n%s", d)
	}
}

func testValues(t *testing.T, b state.Backend) {
	s := load(t, b)
	values := map[string]any{
		"int":        int64(3),
		"whole":      float64(3),
		"zero":       float64(0),
		"negzero":    math.Copysign(0, -1),
		"maxint":     int64(math.MaxInt64),
		"minint":     int64(math.MinInt64),
		"tiny":       1e-300,
		"huge":       1e300,
		"third":      1.0 / 3,
		"go_int":     7, // normalized to int64 by Apply and Append
		"float32":    float32(0.5),
		"string":     "a\"b\\c\n\t\u2028<>&ü",
		"empty":      "",
		"bool":       true,
		"null":       nil,
		"list":       []any{int64(1), 1.5, "x", []any{}, map[string]any{}},
		"nested":     map[string]any{"a": map[string]any{"b": []any{float64(2), int64(2)}}},
		"dotted.key": "v",
	}
	tr := Trial("values", 0)
	tr.Params, tr.Config = values, map[string]any{"all": values}
	apply(t, b, s, state.Change{Put: tr})
	got := load(t, b)
	if d := Diff(s, got); d != "" {
		t.Errorf("values did not survive a round trip (-want +got):\n%s", d)
	}
	if v := got.Trial("values", 0).Params["go_int"]; v != int64(7) {
		t.Errorf("params[go_int] = %#v, want int64(7)", v)
	}
}

func testSerial(t *testing.T, b state.Backend) {
	s := load(t, b)
	for i := range 5 {
		apply(t, b, s, state.Change{Put: Trial("a", i)})
		if got := load(t, b).Serial; got != uint64(i+1) {
			t.Fatalf("after %d changes serial is %d, want %d", i+1, got, i+1)
		}
	}
	apply(t, b, s, state.Change{Remove: &state.TrialRef{Search: "a", Number: 4}})
	if got := load(t, b).Serial; got != 6 {
		t.Errorf("after a remove serial is %d, want 6", got)
	}
}

func testNextNumber(t *testing.T, b state.Backend) {
	s := load(t, b)
	apply(t, b, s, state.Change{Put: Trial("a", 0)})
	apply(t, b, s, state.Change{Put: Trial("a", 7)})
	apply(t, b, s, state.Change{Remove: &state.TrialRef{Search: "a", Number: 7}})
	apply(t, b, s, state.Change{Remove: &state.TrialRef{Search: "a", Number: 0}})
	got := load(t, b)
	if n := got.NextNumber("a"); n != 8 {
		t.Errorf("NextNumber after removing every trial = %d, want 8", n)
	}
	if n := got.NextNumber("b"); n != 0 {
		t.Errorf("NextNumber of a new search = %d, want 0", n)
	}
	if d := Diff(s, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func testBadChanges(t *testing.T, b state.Backend) {
	s := load(t, b)
	apply(t, b, s, state.Change{Put: Trial("a", 0)})
	nan := Trial("a", 1)
	nan.Metrics["val_loss"] = math.NaN()
	badStatus := Trial("a", 1)
	badStatus.Status = "done"
	badParam := Trial("a", 1)
	badParam.Params["x"] = math.Inf(1)
	negative := Trial("a", 1)
	negative.Number = -1
	for name, c := range map[string]state.Change{
		"empty":          {},
		"both":           {Put: Trial("a", 1), Remove: &state.TrialRef{Search: "a", Number: 0}},
		"remove missing": {Remove: &state.TrialRef{Search: "a", Number: 5}},
		"no search":      {Put: Trial("", 1)},
		"negative":       {Put: negative},
		"nan metric":     {Put: nan},
		"bad status":     {Put: badStatus},
		"inf param":      {Put: badParam},
	} {
		if err := b.Append(context.Background(), c); err == nil {
			t.Errorf("%s: Append succeeded, want an error", name)
		}
		if err := s.DeepCopy().Apply(c); err == nil {
			t.Errorf("%s: Apply succeeded, want an error", name)
		}
	}
	if d := Diff(s, load(t, b)); d != "" {
		t.Errorf("rejected changes changed the state (-want +got):\n%s", d)
	}
}

func testConcurrent(t *testing.T, b state.Backend) {
	const workers, each = 8, 25
	s := load(t, b)
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if err := b.Append(context.Background(), state.Change{Put: Trial("par", w*each+i)}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Append: %v", err)
	}
	got := load(t, b)
	if got.Serial != workers*each || got.Len() != workers*each {
		t.Errorf("after %d concurrent appends: serial %d, %d trials", workers*each, got.Serial, got.Len())
	}
	for n := range workers * each {
		if err := s.Apply(state.Change{Put: Trial("par", n)}); err != nil {
			t.Fatal(err)
		}
	}
	if d := Diff(s, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func testCompact(t *testing.T, b state.Backend) {
	c, ok := b.(state.Compacter)
	if !ok {
		t.Skip("the backend does not implement state.Compacter")
	}
	ctx := context.Background()
	s := load(t, b)
	for i := range 10 {
		apply(t, b, s, state.Change{Put: Trial("a", i)})
	}
	apply(t, b, s, state.Change{Put: Trial("b", 3)})
	apply(t, b, s, state.Change{Remove: &state.TrialRef{Search: "a", Number: 9}})
	apply(t, b, s, state.Change{Remove: &state.TrialRef{Search: "b", Number: 3}})
	if err := c.Compact(ctx, s); err != nil {
		t.Fatalf("Compact: %v", err)
	}
	got := load(t, b)
	if d := Diff(s, got); d != "" {
		t.Fatalf("compaction changed the state (-want +got):\n%s", d)
	}
	if got.NextNumber("a") != 10 || got.NextNumber("b") != 4 {
		t.Errorf("after compaction NextNumber(a, b) = %d, %d; want 10, 4", got.NextNumber("a"), got.NextNumber("b"))
	}
	apply(t, b, s, state.Change{Put: Trial("a", 10)})
	apply(t, b, s, state.Change{Remove: &state.TrialRef{Search: "a", Number: 0}})
	if d := Diff(s, load(t, b)); d != "" {
		t.Errorf("appends after compaction (-want +got):\n%s", d)
	}
	// Compacting again, and compacting a state that is not the stored one.
	if err := c.Compact(ctx, s); err != nil {
		t.Fatalf("second Compact: %v", err)
	}
	stale := s.DeepCopy()
	stale.Serial--
	if err := c.Compact(ctx, stale); err == nil {
		t.Errorf("Compact of a state with another serial succeeded; want an error")
	}
	if d := Diff(s, load(t, b)); d != "" {
		t.Errorf("after second compaction (-want +got):\n%s", d)
	}
}

func testLock(t *testing.T, newBackend func(t *testing.T) state.Backend) {
	b := newBackend(t)
	l, ok := b.(state.Locker)
	if !ok {
		t.Skip("the backend does not implement state.Locker")
	}
	short := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 200*time.Millisecond)
	}
	lock := func(op string, ctx context.Context) (func() error, error) {
		return l.Lock(ctx, state.LockInfo{Who: "alice@" + op, Operation: op})
	}
	mustLock := func(op string) func() error {
		t.Helper()
		ctx, cancel := short()
		defer cancel()
		unlock, err := lock(op, ctx)
		if err != nil {
			t.Fatalf("Lock(%s): %v", op, err)
		}
		return unlock
	}
	wantLocked := func(by string) {
		t.Helper()
		ctx, cancel := short()
		defer cancel()
		start := time.Now()
		unlock, err := lock("plan", ctx)
		if err == nil {
			unlock()
			t.Fatalf("second Lock succeeded while %s holds the lock", by)
		}
		var le *state.LockError
		if !errors.As(err, &le) {
			t.Fatalf("second Lock: %v (%T), want a *state.LockError", err, err)
		}
		if le.Info == nil || le.Info.Operation != by || le.Info.Who != "alice@"+by || le.Info.ID == "" {
			t.Errorf("LockError.Info = %+v, want the holder (operation %s)", le.Info, by)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("second Lock took %v to give up with a 200ms timeout", d)
		}
	}

	t.Run("Contention", func(t *testing.T) {
		unlock := mustLock("apply")
		wantLocked("apply")
		if err := unlock(); err != nil {
			t.Fatalf("unlock: %v", err)
		}
		if err := unlock(); err != nil {
			t.Errorf("second unlock: %v, want nil", err)
		}
		mustLock("apply")()
	})

	t.Run("WaitsForUnlock", func(t *testing.T) {
		unlock := mustLock("apply")
		time.AfterFunc(300*time.Millisecond, func() { unlock() })
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		unlock2, err := lock("plan", ctx)
		if err != nil {
			t.Fatalf("Lock while the holder unlocks within the timeout: %v", err)
		}
		if d := time.Since(start); d < 250*time.Millisecond {
			t.Errorf("Lock returned after %v, before the holder unlocked", d)
		}
		unlock2()
	})

	t.Run("ExpiredContextTriesOnce", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		unlock, err := lock("apply", ctx)
		if err != nil {
			t.Fatalf("Lock with a done context on a free lock: %v; want it to try once", err)
		}
		unlock()
	})

	t.Run("ForceUnlock", func(t *testing.T) {
		stale := mustLock("apply")
		if err := l.ForceUnlock(context.Background()); err != nil {
			t.Fatalf("ForceUnlock: %v", err)
		}
		fresh := mustLock("import")
		// The stale holder's unlock must not release the new holder's lock.
		if err := stale(); err != nil {
			t.Errorf("stale unlock: %v", err)
		}
		wantLocked("import")
		fresh()
		if err := l.ForceUnlock(context.Background()); err != nil {
			t.Errorf("ForceUnlock without a lock: %v, want nil", err)
		}
	})
}

// testSettings: a search's settings are stored, replaced by a later
// record, kept apart per search, and survive reload and compaction.
func testSettings(t *testing.T, b state.Backend) {
	s := load(t, b)
	settings := func(trials int64) *state.SearchSettings {
		return &state.SearchSettings{Search: "a", Settings: map[string]any{
			"strategy": "random", "trials": trials, "parallelism": int64(2),
			"params": map[string]any{"training.lr": map[string]any{"type": "real", "low": 1e-5, "high": 0.1, "log": true}},
		}}
	}
	apply(t, b, s, state.Change{Settings: settings(10)})
	apply(t, b, s, state.Change{Put: Trial("a", 0)})
	apply(t, b, s, state.Change{Settings: &state.SearchSettings{Search: "b", Settings: map[string]any{"strategy": "grid"}}})
	apply(t, b, s, state.Change{Settings: settings(20)})
	got := load(t, b)
	if d := Diff(s, got); d != "" {
		t.Fatalf("settings after reload (-want +got):\n%s", d)
	}
	if n := got.Settings("a")["trials"]; n != int64(20) {
		t.Errorf("settings of a: trials = %v, want the later record's 20", n)
	}
	if got.Settings("c") != nil {
		t.Errorf("a search without settings has %v", got.Settings("c"))
	}
	if c, ok := b.(state.Compacter); ok {
		if err := c.Compact(context.Background(), s); err != nil {
			t.Fatalf("Compact: %v", err)
		}
		if d := Diff(s, load(t, b)); d != "" {
			t.Errorf("settings after compaction (-want +got):\n%s", d)
		}
	}
	if err := b.Append(context.Background(), state.Change{Settings: &state.SearchSettings{}}); err == nil {
		t.Errorf("Append of settings without a search name succeeded")
	}
}

// testBatch: a batch is recorded whole, in order, with consecutive
// serials; a remove may name a trial put earlier in the batch; a batch
// with one bad change records nothing; appends go on after a batch.
func testBatch(t *testing.T, b state.Backend) {
	bb, ok := b.(state.Batcher)
	if !ok {
		t.Skip("the backend does not implement state.Batcher")
	}
	ctx := context.Background()
	s := load(t, b)
	apply(t, b, s, state.Change{Put: Trial("a", 0)})
	apply(t, b, s, state.Change{Put: Trial("a", 1)})

	failed := Trial("a", 1)
	failed.Status, failed.Metrics, failed.Error = state.Failed, nil, "exit status 1"
	batch := []state.Change{
		{Put: Trial("a", 2)},
		{Put: Trial("b", 0)},
		{Remove: &state.TrialRef{Search: "a", Number: 0}}, // stored before the batch
		{Put: failed},                                     // replaces a stored trial
		{Put: Trial("a", 3)},
		{Remove: &state.TrialRef{Search: "a", Number: 3}}, // put earlier in the batch
		{Settings: &state.SearchSettings{Search: "a", Settings: map[string]any{"trials": 7}}},
		{Put: Trial("a", 3)}, // put again after its remove
	}
	if err := bb.AppendBatch(ctx, batch); err != nil {
		t.Fatalf("AppendBatch: %v", err)
	}
	for _, c := range batch {
		if err := s.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	got := load(t, b)
	if d := Diff(s, got); d != "" {
		t.Fatalf("after a batch (-want +got):\n%s", d)
	}
	if got.Serial != 2+uint64(len(batch)) {
		t.Errorf("serial after a batch of %d on serial 2 is %d, want %d", len(batch), got.Serial, 2+len(batch))
	}

	// All or nothing: one bad change anywhere and nothing is recorded.
	nan := Trial("a", 9)
	nan.Metrics["val_loss"] = math.NaN()
	for name, bad := range map[string][]state.Change{
		"remove missing":        {{Put: Trial("a", 7)}, {Remove: &state.TrialRef{Search: "a", Number: 8}}},
		"remove twice":          {{Remove: &state.TrialRef{Search: "a", Number: 2}}, {Remove: &state.TrialRef{Search: "a", Number: 2}}},
		"NaN metric":            {{Put: Trial("a", 7)}, {Put: nan}},
		"empty change":          {{Put: Trial("a", 7)}, {}},
		"settings without name": {{Put: Trial("a", 7)}, {Settings: &state.SearchSettings{}}},
	} {
		if err := bb.AppendBatch(ctx, bad); err == nil {
			t.Errorf("%s: AppendBatch succeeded, want an error", name)
		}
		if d := Diff(s, load(t, b)); d != "" {
			t.Errorf("%s: a rejected batch changed the state (-want +got):\n%s", name, d)
		}
	}

	if err := bb.AppendBatch(ctx, nil); err != nil {
		t.Errorf("empty batch: %v", err)
	}
	apply(t, b, s, state.Change{Put: Trial("c", 0)})
	if err := bb.AppendBatch(ctx, []state.Change{{Put: Trial("c", 1)}}); err != nil {
		t.Fatal(err)
	}
	s.Apply(state.Change{Put: Trial("c", 1)})
	apply(t, b, s, state.Change{Remove: &state.TrialRef{Search: "c", Number: 1}})
	if d := Diff(s, load(t, b)); d != "" {
		t.Errorf("appends around a batch (-want +got):\n%s", d)
	}
	if c, ok := b.(state.Compacter); ok {
		if err := c.Compact(ctx, s); err != nil {
			t.Fatalf("Compact after a batch: %v", err)
		}
		if d := Diff(s, load(t, b)); d != "" {
			t.Errorf("compaction after a batch (-want +got):\n%s", d)
		}
	}
}

// testBatchIntoEmpty: a batch is the first change of a new state, and a
// large one keeps every value.
func testBatchIntoEmpty(t *testing.T, b state.Backend) {
	bb, ok := b.(state.Batcher)
	if !ok {
		t.Skip("the backend does not implement state.Batcher")
	}
	s := load(t, b)
	var batch []state.Change
	for i := range 1000 {
		batch = append(batch, state.Change{Put: Trial("big", i)})
	}
	if err := bb.AppendBatch(context.Background(), batch); err != nil {
		t.Fatalf("AppendBatch into an empty state: %v", err)
	}
	for _, c := range batch {
		s.Apply(c)
	}
	got := load(t, b)
	if got.Lineage != s.Lineage {
		t.Errorf("lineage %q after the first batch, want the loaded state's %q", got.Lineage, s.Lineage)
	}
	if d := Diff(s, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// testReplace: Replace stores another state whole (its lineage, serial,
// next numbers and settings), over a stored one, and appends continue from
// its serial.
func testReplace(t *testing.T, b state.Backend) {
	r, ok := b.(state.Replacer)
	if !ok {
		t.Skip("the backend does not implement state.Replacer")
	}
	ctx := context.Background()
	old := load(t, b)
	for i := range 5 {
		apply(t, b, old, state.Change{Put: Trial("old", i)})
	}
	s := state.New()
	for i := range 20 {
		if err := s.Apply(state.Change{Put: Trial("new", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Apply(state.Change{Remove: &state.TrialRef{Search: "new", Number: 19}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(state.Change{Settings: &state.SearchSettings{Search: "new", Settings: map[string]any{"trials": int64(20)}}}); err != nil {
		t.Fatal(err)
	}
	if err := r.Replace(ctx, s); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	got := load(t, b)
	if got.Lineage != s.Lineage || got.Lineage == old.Lineage {
		t.Errorf("lineage after Replace %q, want the new state's %q (old %q)", got.Lineage, s.Lineage, old.Lineage)
	}
	if d := Diff(s, got); d != "" {
		t.Fatalf("after Replace (-want +got):\n%s", d)
	}
	if got.NextNumber("new") != 20 {
		t.Errorf("NextNumber after Replace = %d, want 20 (kept across the remove)", got.NextNumber("new"))
	}
	apply(t, b, s, state.Change{Put: Trial("new", 20)})
	if d := Diff(s, load(t, b)); d != "" {
		t.Errorf("append after Replace (-want +got):\n%s", d)
	}
}

// testReplaceEmpty: Replace is the first write of a storage.
func testReplaceEmpty(t *testing.T, b state.Backend) {
	r, ok := b.(state.Replacer)
	if !ok {
		t.Skip("the backend does not implement state.Replacer")
	}
	s := state.New()
	for i := range 3 {
		if err := s.Apply(state.Change{Put: Trial("x", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Replace(context.Background(), s); err != nil {
		t.Fatalf("Replace into empty storage: %v", err)
	}
	if d := Diff(s, load(t, b)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// testLockInspector: the holder is read, ForceUnlockHolder removes only
// the lock it names, and a free lock reads as none.
func testLockInspector(t *testing.T, b state.Backend) {
	li, ok := b.(state.LockInspector)
	if !ok {
		t.Skip("the backend does not implement state.LockInspector")
	}
	l := b.(state.Locker)
	ctx := context.Background()
	if info, live, err := li.LockHolder(ctx); err != nil || info != nil || live != state.HolderGone {
		t.Fatalf("LockHolder of a free lock = %+v, %v, %v; want nil, HolderGone, nil", info, live, err)
	}
	unlock, err := l.Lock(ctx, state.LockInfo{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	info, live, err := li.LockHolder(ctx)
	if err != nil || info == nil || info.Operation != "apply" || info.ID == "" {
		t.Fatalf("LockHolder = %+v, %v; want the holder (operation apply)", info, err)
	}
	if live == state.HolderGone {
		t.Errorf("LockHolder says the holder is gone while it holds the lock")
	}
	if err := li.ForceUnlockHolder(ctx, "not-"+info.ID); err == nil {
		t.Errorf("ForceUnlockHolder with another lock ID succeeded; want an error naming the holder")
	}
	if got, _, _ := li.LockHolder(ctx); got == nil || got.ID != info.ID {
		t.Errorf("after a refused ForceUnlockHolder the holder is %+v, want %s", got, info.ID)
	}
	if err := li.ForceUnlockHolder(ctx, info.ID); err != nil {
		t.Fatalf("ForceUnlockHolder: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	fresh, err := l.Lock(short, state.LockInfo{Operation: "plan"})
	if err != nil {
		t.Fatalf("Lock after ForceUnlockHolder: %v", err)
	}
	if err := unlock(); err != nil {
		t.Errorf("stale unlock: %v", err)
	}
	if got, _, _ := li.LockHolder(ctx); got == nil || got.Operation != "plan" {
		t.Errorf("the stale unlock released the fresh lock: holder %+v", got)
	}
	fresh()
	if err := li.ForceUnlockHolder(ctx, "whatever"); err != nil {
		t.Errorf("ForceUnlockHolder without a lock: %v, want nil", err)
	}
}
