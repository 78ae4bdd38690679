package apply

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frameworm/frameworm/experiment"
	"github.com/frameworm/frameworm/runtime"
)

// queuedExecutor is a fakeExecutor whose trials waited in a scheduler's
// queue: each result carries a job handle and a queue wait.
type queuedExecutor struct{ fakeExecutor }

func (q *queuedExecutor) Run(ctx context.Context, spec runtime.Spec) runtime.Result {
	res := q.fakeExecutor.Run(ctx, spec)
	res.Job = fmt.Sprintf("slurm:77_%d", spec.Number)
	res.Host = fmt.Sprintf("slurm:node1 job 77_%d", spec.Number)
	res.Queued = time.Duration(spec.Number+1) * 1500 * time.Millisecond
	return res
}

// TestRecordsJobAndQueueWait: the job handle and the queue wait of a
// result reach the trial's record and its meta.json.
func TestRecordsJobAndQueueWait(t *testing.T) {
	def := testDef(t, 3, 2)
	r, j, p := newRunner(t, def, &queuedExecutor{})
	if _, err := r.Run(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	last := j.changes[len(j.changes)-1].Put
	if last == nil || last.Job == "" || last.Queued == 0 {
		t.Fatalf("last journal record %+v: want a job and a queue wait", last)
	}
	for _, tr := range r.State.Trials("s") {
		wantJob, wantQueued := fmt.Sprintf("slurm:77_%d", tr.Number), time.Duration(tr.Number+1)*1500*time.Millisecond
		if tr.Job != wantJob || tr.Queued != wantQueued {
			t.Errorf("trial %d: job %q, queued %v; want %q, %v", tr.Number, tr.Job, tr.Queued, wantJob, wantQueued)
		}
		m, err := experiment.Read(tr.Dir)
		if err != nil {
			t.Fatal(err)
		}
		if m.Job != wantJob || m.QueuedSeconds != wantQueued.Seconds() {
			t.Errorf("trial %d meta.json: job %q, queued %vs; want %q, %vs", tr.Number, m.Job, m.QueuedSeconds, wantJob, wantQueued.Seconds())
		}
	}
}
