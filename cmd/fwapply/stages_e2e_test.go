package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// The two-stage example and searches that build on searches, end to end:
// plan defers the fine search, apply runs the stages in order, a change
// of the coarse search's best changes the fine search's definition and
// the plan says why, and a kill -9 during the fine stage is resumed.

var (
	trainOnce sync.Once
	trainPath string
	trainErr  error
)

// quickstartTrainer builds the quickstart's trial program once.
func quickstartTrainer(t *testing.T) string {
	t.Helper()
	trainOnce.Do(func() {
		trainPath = filepath.Join(filepath.Dir(binary), "quickstart-train")
		cmd := exec.Command("go", "build", "-o", trainPath, "../../examples/quickstart/train")
		out, err := cmd.CombinedOutput()
		if err != nil {
			trainErr = fmt.Errorf("building the quickstart trainer: %v\n%s", err, out)
		}
	})
	if trainErr != nil {
		t.Fatal(trainErr)
	}
	return trainPath
}

// twoStageProject copies examples/two-stage to a temp dir, its trials
// running the built quickstart trainer; fine, when set, is the fine
// search's trial command instead.
func twoStageProject(t *testing.T, fine string) string {
	t.Helper()
	b, err := os.ReadFile("../../examples/two-stage/search.fw.hcl")
	if err != nil {
		t.Fatal(err)
	}
	const cmd = `command = ["go", "run", "../quickstart/train"]`
	src := string(b)
	if strings.Count(src, cmd) != 2 {
		t.Fatalf("examples/two-stage should run %s in both searches", cmd)
	}
	train := fmt.Sprintf("command = [%q]", quickstartTrainer(t))
	if fine == "" {
		fine = train
	}
	src = strings.Replace(src, cmd, train, 1)
	src = strings.Replace(src, cmd, fine, 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "search.fw.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// stagesPlan is what these tests read of plan -json.
type stagesPlan struct {
	Searches map[string]struct {
		ToRun   []struct{ Number int } `json:"to_run"`
		ToRetry []struct {
			Number int
			Reason string
		} `json:"to_retry"`
		Kept            int
		ExcludedCount   int `json:"excluded_count"`
		UpstreamChanges []struct {
			Upstream string
			From, To int
		} `json:"upstream_changes"`
		Deferred *struct {
			Upstream string
			Reason   string
		} `json:"deferred"`
	} `json:"searches"`
}

// stagesShow is what these tests read of show -json.
type stagesShow struct {
	Searches map[string]struct {
		Best *struct {
			Trial int
		} `json:"best"`
		Trials []struct {
			Number int
			Status string
		} `json:"trials"`
		Stage *struct {
			Reads  []string
			Refine *struct {
				From   string
				Factor float64
				Around int
			}
		} `json:"stage"`
	} `json:"searches"`
}

// TestE2ETwoStageExample runs examples/two-stage as its README says: the
// plan before any apply defers the fine search with its reason, apply
// runs the coarse stage then the fine one, refined around the coarse
// search's best.
func TestE2ETwoStageExample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 35 trials through go run")
	}
	statePath := exampleState(t, "two-stage")
	dir := "../../examples/two-stage"
	code, out, errs := fwapply(t, dir, "plan", "-state="+statePath)
	if code != 0 || !strings.Contains(out, "+ 15 trials (known after apply)") ||
		!strings.Contains(out, "depends on search.coarse (20 of 20 trials to run)") ||
		!strings.Contains(out, "then search.fine (known after apply)") {
		t.Fatalf("plan before the first stage: exit %d\n%s%s", code, out, errs)
	}
	p := jsonOf[stagesPlan](t, dir, "plan", "-json", "-target=search.fine", "-state="+statePath)
	if c, f := p.Searches["coarse"], p.Searches["fine"]; len(c.ToRun) != 20 || f.Deferred == nil || f.Deferred.Upstream != "coarse" {
		t.Fatalf("plan -target=search.fine: %+v", p)
	}

	code, out, errs = fwapply(t, "../..", "-chdir=examples/two-stage", "apply", "-auto-approve", "-state="+statePath)
	if code != 0 || !strings.Contains(out, "Stage 2: search.fine, planned now that search.coarse is complete.") || !strings.Contains(out, "Apply complete! 35 trials completed, 0 failed.") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = fwapply(t, dir, "plan", "-state="+statePath)
	if code != 0 || !strings.Contains(out, "No changes.") {
		t.Fatalf("plan after apply: exit %d\n%s%s", code, out, errs)
	}
	doc := jsonOf[stagesShow](t, dir, "show", "-json", "-state="+statePath)
	coarse, fine := doc.Searches["coarse"], doc.Searches["fine"]
	if coarse.Best == nil || fine.Stage == nil || fine.Stage.Refine == nil || fine.Stage.Refine.Around != coarse.Best.Trial || fine.Stage.Refine.Factor != 0.5 {
		t.Fatalf("show -json: the fine search is not refined around the coarse best: %+v", doc)
	}
	if len(fine.Trials) != 15 {
		t.Errorf("the fine search ran %d trials, want 15", len(fine.Trials))
	}
}

// TestE2EStagesUpstreamBestChanges raises the coarse budget: the fine
// search waits for the new coarse trials; once they ran and found a
// better best, the fine search's definition changes and the plan says
// why, with the trials it excludes.
func TestE2EStagesUpstreamBestChanges(t *testing.T) {
	dir := twoStageProject(t, "")
	if code, out, errs := fwapply(t, dir, "apply", "-auto-approve"); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	before := jsonOf[stagesShow](t, dir, "show", "-json").Searches["coarse"].Best.Trial

	ciEdit(t, dir, "trials      = 20", "trials      = 40")
	code, out, errs := fwapply(t, dir, "plan")
	if code != 0 || !strings.Contains(out, "depends on search.coarse (20 of 40 trials to run)") ||
		!strings.Contains(out, "15 trials in the state, matched once its definition is known") {
		t.Fatalf("plan after raising the budget: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := fwapply(t, dir, "apply", "-auto-approve", "-target=search.coarse"); code != 0 {
		t.Fatalf("apply -target=search.coarse: exit %d\n%s%s", code, out, errs)
	}
	after := jsonOf[stagesShow](t, dir, "show", "-json").Searches["coarse"].Best.Trial
	if after == before {
		t.Fatalf("the 20 new coarse trials did not beat trial %d: the test needs a case where the best changes", before)
	}
	want := fmt.Sprintf("search.fine reads search.coarse, whose best changed from trial %d to trial %d", before, after)
	code, out, errs = fwapply(t, dir, "plan")
	if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "base_config") {
		t.Fatalf("plan after the coarse stage: exit %d, want %q\n%s%s", code, want, out, errs)
	}
	p := jsonOf[stagesPlan](t, dir, "plan", "-json")
	f := p.Searches["fine"]
	if f.Deferred != nil || len(f.UpstreamChanges) != 1 || f.UpstreamChanges[0].From != before || f.UpstreamChanges[0].To != after || f.ExcludedCount+f.Kept != 15 {
		t.Errorf("plan -json of fine: %+v", f)
	}
	// Apply runs the fine stage, and the next plan has nothing to say.
	if code, out, errs := fwapply(t, dir, "apply", "-auto-approve"); code != 0 {
		t.Fatalf("apply of the fine stage: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := fwapply(t, dir, "plan"); code != 0 || !strings.Contains(out, "No changes.") || strings.Contains(out, "whose best changed") {
		t.Fatalf("plan after the fine stage: exit %d\n%s%s", code, out, errs)
	}
}

// TestE2EStagesKill9ResumesFine kills apply with SIGKILL while the fine
// stage runs: the next apply runs no coarse trial (that stage is
// complete, so the fine search is known) and resumes the fine search from
// the state.
func TestE2EStagesKill9ResumesFine(t *testing.T) {
	slow := fmt.Sprintf("command = [\"sh\", \"-c\", \"sleep 1; exec %s\"]", quickstartTrainer(t))
	dir := twoStageProject(t, slow)
	cmd, out := startApply(t, dir)
	waitFor(t, "the fine stage to start", func() bool {
		_, err := os.Stat(filepath.Join(dir, ".fw", "trials", "fine", "0"))
		return err == nil
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if !strings.Contains(out.String(), "Stage 2: search.fine") {
		t.Fatalf("apply was killed before its fine stage:\n%s", out)
	}

	p := jsonOf[stagesPlan](t, dir, "plan", "-json")
	c, f := p.Searches["coarse"], p.Searches["fine"]
	if c.Kept != 20 || len(c.ToRun)+len(c.ToRetry) != 0 || f.Deferred != nil || len(f.ToRetry) == 0 || len(f.ToRun)+len(f.ToRetry)+f.Kept != 15 {
		t.Fatalf("plan after kill -9: %+v", p)
	}
	code, outs, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 || strings.Contains(outs, "search.coarse: trial") {
		t.Fatalf("apply after kill -9: exit %d\n%s%s", code, outs, errs)
	}
	doc := jsonOf[stagesShow](t, dir, "show", "-json")
	completed := 0
	for _, tr := range doc.Searches["fine"].Trials {
		if tr.Status == "completed" {
			completed++
		}
	}
	if completed != 15 || len(doc.Searches["coarse"].Trials) != 20 {
		t.Errorf("after the resumed apply: %d fine trials completed (want 15), %d coarse trials (want 20)", completed, len(doc.Searches["coarse"].Trials))
	}
}
