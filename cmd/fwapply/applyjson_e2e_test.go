package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// applyEvent holds the fields of every event type of apply -json.
type applyEvent struct {
	Type          string             `json:"type"`
	Timestamp     string             `json:"timestamp"`
	FormatVersion string             `json:"format_version"`
	Search        string             `json:"search"`
	Trial         *int               `json:"trial"`
	Attempt       int                `json:"attempt"`
	Params        map[string]any     `json:"params"`
	Status        string             `json:"status"`
	Score         *float64           `json:"score"`
	Metrics       map[string]float64 `json:"metrics"`
	Error         string             `json:"error"`
	StderrLog     string             `json:"stderr_log"`
	StdoutLog     string             `json:"stdout_log"`
	Reason        string             `json:"reason"`
	PreviousTrial *int               `json:"previous_trial"`
	PreviousScore *float64           `json:"previous_score"`
	Total         int                `json:"total"`
	Searches      map[string]struct {
		// apply_start
		ToRun int `json:"to_run"`
		// summary
		Completed int    `json:"completed"`
		Failed    int    `json:"failed"`
		NotRun    int    `json:"not_run"`
		StoppedBy string `json:"stopped_by"`
		Best      *struct {
			Trial int     `json:"trial"`
			Score float64 `json:"score"`
		} `json:"best"`
	} `json:"searches"`
}

// applyEvents parses apply -json output: exactly one JSON object per line.
func applyEvents(t *testing.T, out string) []applyEvent {
	t.Helper()
	var events []applyEvent
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var ev applyEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", i+1, err, line)
		}
		if _, err := time.Parse(time.RFC3339Nano, ev.Timestamp); err != nil || !strings.HasSuffix(ev.Timestamp, "Z") {
			t.Errorf("line %d: timestamp %q is not RFC 3339 in UTC", i+1, ev.Timestamp)
		}
		events = append(events, ev)
	}
	return events
}

// TestE2EApplyJSONStream: apply -json streams events as they happen, in an
// order a program can rely on, and ends with the summary.
func TestE2EApplyJSONStream(t *testing.T) {
	dir := t.TempDir()
	src := fmt.Sprintf(`search "good" {
  strategy    = "random"
  metric      = "score"
  mode        = "min"
  trials      = 8
  seed        = 3
  parallelism = 3
  base_config = { x = 0.5, behavior = "ok", sleep_ms = 20 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
  trial {
    command = [%[1]q]
  }
}

search "bad" {
  strategy    = "random"
  metric      = "score"
  mode        = "min"
  trials      = 5
  parallelism = 1
  base_config = { x = 0.5, behavior = "exit3", sleep_ms = 0 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
  trial {
    command = [%[1]q]
  }
}
`, trialBinary)
	writeFiles(t, dir, map[string]string{"main.fw.hcl": src})
	code, out, errs := fwapply(t, dir, "apply", "-json", "-auto-approve")
	if code != 1 {
		t.Fatalf("apply -json with a failing search: exit %d, want 1\n%s%s", code, out, errs)
	}
	events := applyEvents(t, out)

	first, last := events[0], events[len(events)-1]
	if first.Type != "apply_start" || first.FormatVersion == "" || first.Total != 13 || first.Searches["good"].ToRun != 8 {
		t.Errorf("first event: %+v", first)
	}
	if last.Type != "summary" || last.FormatVersion == "" {
		t.Fatalf("last event: %+v", last)
	}
	started := map[string]bool{}
	finished := map[string]int{}
	bests := map[string]*applyEvent{}
	stops := map[string]string{}
	for i, ev := range events[1 : len(events)-1] {
		key := ""
		if ev.Trial != nil {
			key = fmt.Sprintf("%s[%d]", ev.Search, *ev.Trial)
		}
		switch ev.Type {
		case "trial_started":
			if started[key] || ev.Attempt != 1 || ev.Params == nil {
				t.Errorf("event %d: %+v", i+1, ev)
			}
			started[key] = true
		case "trial_finished":
			if !started[key] {
				t.Errorf("%s finished before it started", key)
			}
			finished[key]++
			if ev.StderrLog == "" || ev.StdoutLog == "" || !filepath.IsAbs(ev.StderrLog) {
				t.Errorf("%s: logs %q %q", key, ev.StderrLog, ev.StdoutLog)
			}
			if ev.Status == "completed" && (ev.Score == nil || ev.Metrics["score"] != *ev.Score) || ev.Status == "failed" && ev.Error != "exit status 3" {
				t.Errorf("%s: %+v", key, ev)
			}
		case "best_changed":
			prev := events[i] // the event before this one
			if prev.Type != "trial_finished" || prev.Search != ev.Search || *prev.Trial != *ev.Trial {
				t.Errorf("best_changed to %s does not follow its trial_finished", key)
			}
			before := bests[ev.Search]
			switch {
			case before == nil && (ev.PreviousTrial != nil || ev.PreviousScore != nil):
				t.Errorf("first best_changed of %s names a previous best", ev.Search)
			case before != nil && (ev.PreviousTrial == nil || *ev.PreviousTrial != *before.Trial || *ev.PreviousScore != *before.Score || *ev.Score >= *before.Score):
				t.Errorf("best_changed to %s: %+v after %+v", key, ev, before)
			}
			bests[ev.Search] = &ev
		case "search_stopped":
			if _, ok := stops[ev.Search]; ok {
				t.Errorf("search %s stopped twice", ev.Search)
			}
			stops[ev.Search] = ev.Reason
		default:
			t.Errorf("unexpected event %q in the middle of the stream", ev.Type)
		}
	}
	for k := range started {
		if finished[k] != 1 {
			t.Errorf("%s started but finished %d times", k, finished[k])
		}
	}
	good, bad := last.Searches["good"], last.Searches["bad"]
	if good.Completed != 8 || good.Best == nil || bests["good"] == nil || good.Best.Trial != *bests["good"].Trial {
		t.Errorf("summary of good: %+v, last best_changed %+v", good, bests["good"])
	}
	wantStop := "the first 3 trials all failed the same way (exit status 3)"
	if bad.Failed != 3 || bad.NotRun != 2 || bad.StoppedBy != wantStop || stops["bad"] != wantStop || bad.Best != nil {
		t.Errorf("summary of bad: %+v, stop event %q", bad, stops["bad"])
	}
	if _, ok := stops["good"]; ok {
		t.Errorf("good stopped: %q", stops["good"])
	}
}

// TestE2EApplyJSONNoChanges: with nothing to do, apply -json prints just
// the summary line.
func TestE2EApplyJSONNoChanges(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 2, 0, "0"))
	mustApply(t, dir)
	code, out, errs := fwapply(t, dir, "apply", "-json", "-auto-approve")
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("exit %d, want one line:\n%s%s", code, out, errs)
	}
	if ev := applyEvents(t, out)[0]; ev.Type != "summary" || ev.FormatVersion == "" {
		t.Errorf("no-changes event: %+v", ev)
	}
}
