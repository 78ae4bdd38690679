package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// fakeGH is the gh the pull-request check calls in these tests: it
// records each call's arguments, a line each, and keeps the body it
// was given as the pull request's comment; --edit-last fails while there
// is no comment, as gh does.
const fakeGH = `#!/bin/sh
printf '%s\n' "$*" >>"$FAKE_GH_DIR/calls"
case " $* " in
*" --edit-last "*) [ -f "$FAKE_GH_DIR/comment.md" ] || { echo "no comment to edit" >&2; exit 1; } ;;
esac
while [ $# -gt 0 ]; do
	if [ "$1" = --body-file ]; then cp "$2" "$FAKE_GH_DIR/comment.md" || exit 1; fi
	shift
done
`

// ciSetup copies the quickstart into a temp dir with its trial program
// built (so that the trials do not go run), applies it to a state file
// beside it, and returns the search directory, the state file, and a
// directory to put first on PATH that holds fwapply and a fake gh.
func ciSetup(t *testing.T) (dir, statePath, bin string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the pull-request check is a POSIX shell script")
	}
	root := t.TempDir()
	dir, bin = filepath.Join(root, "searches"), filepath.Join(root, "bin")
	statePath = filepath.Join(root, "main.fwstate")
	for _, d := range []string{dir, bin} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	train := filepath.Join(root, "train")
	build := exec.Command("go", "build", "-o", train, "./examples/quickstart/train")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the quickstart's trial program: %v\n%s", err, out)
	}
	src, err := os.ReadFile("../../examples/quickstart/search.fw.hcl")
	if err != nil {
		t.Fatal(err)
	}
	hcl := strings.Replace(string(src), `command = ["go", "run", "./train"]`, `command = ["`+train+`"]`, 1)
	if hcl == string(src) {
		t.Fatal("the quickstart's trial command changed: update this test")
	}
	ciWrite(t, filepath.Join(dir, "search.fw.hcl"), hcl)
	if err := os.Symlink(binary, filepath.Join(bin, "fwapply")); err != nil {
		t.Fatal(err)
	}
	ciWrite(t, filepath.Join(bin, "gh"), fakeGH)
	if err := os.Chmod(filepath.Join(bin, "gh"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve", "-state="+statePath)
	if code != 0 || !strings.Contains(out, "Apply complete! 20 trials completed, 0 failed.") {
		t.Fatalf("apply of the base: exit %d\n%s%s", code, out, errs)
	}
	return dir, statePath, bin
}

func ciWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ciEdit replaces old by new in the search file, once.
func ciEdit(t *testing.T, dir, old, new string) {
	t.Helper()
	path := filepath.Join(dir, "search.fw.hcl")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("the search file lacks %q", old)
	}
	ciWrite(t, path, strings.Replace(string(b), old, new, 1))
}

// prCheck runs examples/ci/pr-check.sh as the workflow does, with env
// added, and returns its exit status and output.
func prCheck(t *testing.T, bin string, env ...string) (int, string) {
	t.Helper()
	script, err := filepath.Abs("../../examples/ci/pr-check.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", script)
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "NO_COLOR=1", "GITHUB_STEP_SUMMARY=")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	} else if err != nil {
		t.Fatalf("running pr-check.sh: %v", err)
	}
	return 0, string(out)
}

// TestE2EPullRequestCheck runs the steps of examples/ci on a change to
// the quickstart after an apply, one by one and through the script
// itself, and checks the exit statuses and that the comment tells a
// reviewer what the change runs, what it excludes and why.
func TestE2EPullRequestCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("applies the quickstart's 20 trials")
	}
	dir, statePath, bin := ciSetup(t)
	stateFlag := "-state=" + statePath
	gh := t.TempDir()
	env := []string{"FW_DIR=" + dir, "FW_PLAN_ARGS=" + stateFlag, "PR_NUMBER=7", "FAKE_GH_DIR=" + gh}

	// The base, right after its apply: nothing to run.
	if code, out, errs := fwapply(t, dir, "plan", "-detailed-exitcode", "-format=markdown", stateFlag); code != 0 || !strings.Contains(out, "**No changes.**") {
		t.Fatalf("plan of the applied base: exit %d, want 0\n%s%s", code, out, errs)
	}
	commentFile := filepath.Join(t.TempDir(), "comment.md")
	if code, out := prCheck(t, bin, append(env, "FW_COMMENT_FILE="+commentFile)...); code != 0 {
		t.Fatalf("pr-check.sh of the base: exit %d, want 0\n%s", code, out)
	}
	if b, err := os.ReadFile(commentFile); err != nil || !strings.Contains(string(b), "**No changes.** Every search has its trials: 20 kept.") {
		t.Fatalf("comment of the base (%v):\n%s", err, b)
	}
	if _, err := os.Stat(filepath.Join(gh, "calls")); err == nil {
		t.Error("pr-check.sh called gh with FW_COMMENT_FILE set")
	}

	// The pull request: a larger budget and a narrower learning rate.
	ciEdit(t, dir, "trials      = 20", "trials      = 30")
	ciEdit(t, dir, "high = 1e-1", "high = 1e-2")
	if code, out, errs := fwapply(t, dir, "fmt", "-check"); code != 0 {
		t.Fatalf("fmt -check of the change: exit %d, want 0\n%s%s", code, out, errs)
	}
	code, out, errs := fwapply(t, dir, "validate", "-json")
	var valid struct{ Valid bool }
	if code != 0 || json.Unmarshal([]byte(out), &valid) != nil || !valid.Valid {
		t.Fatalf("validate -json of the change: exit %d\n%s%s", code, out, errs)
	}
	code, plan, errs := fwapply(t, dir, "plan", "-detailed-exitcode", "-format=markdown", stateFlag)
	if code != 2 {
		t.Fatalf("plan -detailed-exitcode of the change: exit %d, want 2\n%s%s", code, plan, errs)
	}
	// What the reviewer needs, counted from the plan JSON.
	_, js, _ := fwapply(t, dir, "plan", "-json", stateFlag)
	var doc struct {
		Searches map[string]struct {
			ToRun         []json.RawMessage `json:"to_run"`
			Kept          int               `json:"kept"`
			ExcludedCount int               `json:"excluded_count"`
		}
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, js)
	}
	qs := doc.Searches["quickstart"]
	if qs.ExcludedCount == 0 || len(qs.ToRun) != 30-qs.Kept {
		t.Fatalf("the change excludes no trial or plans %d to run with %d kept: pick another edit\n%s", len(qs.ToRun), qs.Kept, js)
	}
	for _, want := range []string{
		"#### `search.quickstart` · random, min `val_loss`",
		ciTrials(len(qs.ToRun)) + " to run**, 0 to retry, " + strconv.Itoa(qs.ExcludedCount) + " excluded.",
		"| trial | action | `training.lr` | `training.batch_size` | `optimizer` |",
		"| 20 | new | ",
		"**Excluded:** " + ciTrials(qs.ExcludedCount) + " no longer match the definition",
		"- training.lr is above high = 0.01 (" + ciTrials(qs.ExcludedCount) + ": ",
		"- `trials 20 → 30`",
		"- `param \"training.lr\".high 0.1 → 0.01`",
		"**Best `val_loss`:** ",
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("the plan markdown lacks %q:\n%s", want, plan)
		}
	}
	if strings.Contains(plan, "\x1b") {
		t.Errorf("the plan markdown holds an ANSI escape")
	}
	// A saved plan shows as it was planned; show gives the state's best.
	planFile := filepath.Join(t.TempDir(), "pr.fwplan")
	code, out, errs = fwapply(t, dir, "plan", "-format=markdown", stateFlag, "-out="+planFile)
	if saved := "\nSaved the plan to `" + planFile + "`; `fwapply apply " + planFile + "` runs exactly it.\n"; code != 0 || out != plan+saved {
		t.Errorf("plan -out -format=markdown: exit %d\n%s%s\nwant the plan and %q", code, out, errs, saved)
	}
	if code, out, errs := fwapply(t, dir, "show", planFile, "-format=markdown", stateFlag); code != 0 || out != plan {
		t.Errorf("show PLANFILE -format=markdown: exit %d\n%s%s\nwant the plan:\n%s", code, out, errs, plan)
	}
	if code, out, errs := fwapply(t, dir, "show", "-format=markdown", stateFlag); code != 0 ||
		!strings.Contains(out, "20 trials, 20 completed · "+strconv.Itoa(qs.ExcludedCount)+" excluded (no longer match the definition) · budget 30") ||
		!strings.Contains(out, "**Best `val_loss`:** ") {
		t.Errorf("show -format=markdown: exit %d\n%s%s", code, out, errs)
	}

	// The script posts it: a new comment first (no comment to edit yet),
	// then the same comment edited on the next push.
	if code, out := prCheck(t, bin, env...); code != 0 {
		t.Fatalf("pr-check.sh of the change: exit %d, want 0\n%s", code, out)
	}
	posted, err := os.ReadFile(filepath.Join(gh, "comment.md"))
	if err != nil || string(posted) != plan {
		t.Errorf("posted comment (%v) is not the plan:\n%s\nwant:\n%s", err, posted, plan)
	}
	if code, out := prCheck(t, bin, env...); code != 0 {
		t.Fatalf("second pr-check.sh: exit %d\n%s", code, out)
	}
	calls, _ := os.ReadFile(filepath.Join(gh, "calls"))
	lines := strings.Split(strings.TrimSpace(string(calls)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "pr comment 7 --edit-last --body-file ") ||
		!strings.HasPrefix(lines[1], "pr comment 7 --body-file ") || !strings.HasPrefix(lines[2], "pr comment 7 --edit-last --body-file ") {
		t.Errorf("gh calls:\n%s\nwant an --edit-last that fails, a new comment, then an --edit-last", calls)
	}

	// An unformatted file: fmt -check exits 3, the check fails and says
	// so above the plan.
	ciEdit(t, dir, "trials      = 30", "trials = 30")
	if code, out, errs := fwapply(t, dir, "fmt", "-check"); code != 3 || !strings.Contains(out, "search.fw.hcl") {
		t.Fatalf("fmt -check of an unformatted file: exit %d, want 3\n%s%s", code, out, errs)
	}
	code, out = prCheck(t, bin, env...)
	posted, _ = os.ReadFile(filepath.Join(gh, "comment.md"))
	if code != 1 || !strings.Contains(string(posted), "### :x: Search files not in the canonical layout: run `fwapply fmt` and push\n\n````\nsearch.fw.hcl\n````") ||
		!strings.Contains(string(posted), ciTrials(len(qs.ToRun))+" to run**") {
		t.Errorf("pr-check.sh with an unformatted file: exit %d, want 1\n%s\ncomment:\n%s", code, out, posted)
	}
	ciEdit(t, dir, "trials = 30", "trials      = 30")

	// An invalid change: validate -json says so, and the comment shows
	// the diagnostic instead of a plan.
	ciEdit(t, dir, "low  = 1e-4", "low  = 1")
	code, out, _ = fwapply(t, dir, "validate", "-json")
	if code != 1 || json.Unmarshal([]byte(out), &valid) != nil || valid.Valid {
		t.Fatalf("validate -json of an invalid change: exit %d, want 1\n%s", code, out)
	}
	code, out = prCheck(t, bin, env...)
	posted, _ = os.ReadFile(filepath.Join(gh, "comment.md"))
	if code != 1 || !strings.Contains(string(posted), "### :x: fwapply validate failed (exit status 1)") ||
		!strings.Contains(string(posted), "search.fw.hcl line") || strings.Contains(string(posted), "Frameworm plan") {
		t.Errorf("pr-check.sh with an invalid file: exit %d, want 1\n%s\ncomment:\n%s", code, out, posted)
	}
}

// ciTrials is "1 trial" or "N trials", as the views write it.
func ciTrials(n int) string {
	if n == 1 {
		return "1 trial"
	}
	return strconv.Itoa(n) + " trials"
}

// TestE2EPullRequestWorkflow checks that the example workflow runs the
// script TestE2EPullRequestCheck tests, with the settings it reads, so
// the two cannot drift apart.
func TestE2EPullRequestWorkflow(t *testing.T) {
	wf, err := os.ReadFile("../../examples/ci/frameworm-pr.yml")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("../../examples/ci/pr-check.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"run: sh examples/ci/pr-check.sh", "FW_DIR:", "PR_NUMBER: ${{ github.event.pull_request.number }}", "GH_TOKEN:", "pull-requests: write"} {
		if !strings.Contains(string(wf), want) {
			t.Errorf("frameworm-pr.yml lacks %q", want)
		}
	}
	for _, want := range []string{"fmt -check", "validate -json", "plan -detailed-exitcode -format=markdown", "${FW_DIR:-.}", "${PR_NUMBER", "--body-file"} {
		if !strings.Contains(string(script), want) {
			t.Errorf("pr-check.sh lacks %q", want)
		}
	}
}
