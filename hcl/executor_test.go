package hcl

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/definition"
)

// sharedDir is a search directory on no node-local storage: the loader
// does not read it (Load is given the sources), it only resolves
// experiment_root against it.
const sharedDir = "/shared/project"

// execSearch is a search whose trial block runs on ref (the trial
// executor line is left out when ref is ""), after the executor blocks.
func execSearch(blocks, ref string) string {
	line := ""
	if ref != "" {
		line = "\n    executor = " + ref
	}
	return blocks + `
search "s" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 10
  param "lr" {
    values = [0.1, 0.01]
  }
  trial {
    command = ["true"]` + line + `
  }
}
`
}

// slurmBlock is an executor "slurm" "gpu" block holding body.
func slurmBlock(body string) string {
	return "executor \"slurm\" \"gpu\" {\n" + body + "}\n"
}

func loadAt(t *testing.T, dir, src string, opts Options) (*Result, hcl.Diagnostics) {
	t.Helper()
	return Load(dir, []Source{{Name: "main.fw.hcl", Bytes: []byte(src)}}, opts)
}

func TestExecutorValid(t *testing.T) {
	vars := `variable "partition" {
  default = "gpu"
}
variable "hours" {
  default = 2
}
`
	tests := []struct {
		name string
		src  string
		opts Options
		want *definition.Executor // DeclRange not compared
	}{
		{"no executor", execSearch(slurmBlock(""), ""), Options{}, nil},
		{"empty block", execSearch(slurmBlock(""), "executor.slurm.gpu"), Options{}, &definition.Executor{Type: "slurm", Name: "gpu"}},
		{"null is local", execSearch(slurmBlock(""), "null"), Options{}, nil},
		{"every attribute", execSearch(slurmBlock(`  partition     = "gpu"
  time          = "2h"
  cpus_per_task = 4
  mem           = "16G"
  gpus          = 1
  account       = "ml"
  qos           = "normal"
  constraint    = "a100&ib"
  nodelist      = "node[01-04]"
  extra_args    = ["--exclusive", "--mail-type=END", "-N1"]
  array         = true
  poll          = "5s"
`), "executor.slurm.gpu"), Options{}, &definition.Executor{
			Type: "slurm", Name: "gpu", Partition: "gpu", Account: "ml", QoS: "normal", Constraint: "a100&ib", Nodelist: "node[01-04]",
			Mem: "16G", Time: 2 * time.Hour, CPUsPerTask: 4, GPUs: 1, ExtraArgs: []string{"--exclusive", "--mail-type=END", "-N1"}, Array: true, Poll: 5 * time.Second,
		}},
		{"gres", execSearch(slurmBlock("  gres = \"gpu:a100:1\"\n  gpus = 0\n"), "executor.slurm.gpu"), Options{}, &definition.Executor{Type: "slurm", Name: "gpu", Gres: "gpu:a100:1"}},
		{"slurm time form", execSearch(slurmBlock("  time = \"1-12:30\"\n"), "executor.slurm.gpu"), Options{}, &definition.Executor{Type: "slurm", Name: "gpu", Time: 36*time.Hour + 30*time.Minute}},
		{"time in minutes as a number", execSearch(slurmBlock("  time = 90\n"), "executor.slurm.gpu"), Options{}, &definition.Executor{Type: "slurm", Name: "gpu", Time: 90 * time.Minute}},
		{"mem in megabytes as a number", execSearch(slurmBlock("  mem = 512\n"), "executor.slurm.gpu"), Options{}, &definition.Executor{Type: "slurm", Name: "gpu", Mem: "512"}},
		{"nulls are absent", execSearch(slurmBlock("  partition = null\n  time = null\n  mem = null\n  gpus = null\n  extra_args = null\n  array = null\n  poll = null\n"), "executor.slurm.gpu"), Options{}, &definition.Executor{Type: "slurm", Name: "gpu"}},
		{"variables and functions", vars + execSearch(slurmBlock("  partition = var.partition\n  time = \"${var.hours}h\"\n  account = lower(\"ML\")\n"), "executor.slurm.gpu"), Options{}, &definition.Executor{Type: "slurm", Name: "gpu", Partition: "gpu", Account: "ml", Time: 2 * time.Hour}},
		{"variables from flags", vars + execSearch(slurmBlock("  partition = var.partition\n"), "executor.slurm.gpu"), Options{VarFlags: []string{"partition=debug"}}, &definition.Executor{Type: "slurm", Name: "gpu", Partition: "debug"}},
		{"second of two", execSearch(slurmBlock("")+"executor \"slurm\" \"cpu\" {\n  partition = \"cpu\"\n}\n", "executor.slurm.cpu"), Options{}, &definition.Executor{Type: "slurm", Name: "cpu", Partition: "cpu"}},
		{"block after the search", execSearch("", "executor.slurm.gpu") + slurmBlock("  partition = \"late\"\n"), Options{}, &definition.Executor{Type: "slurm", Name: "gpu", Partition: "late"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := loadAt(t, sharedDir, tt.src, tt.opts)
			if len(diags) > 0 {
				t.Fatalf("diagnostics:\n%s", render(res.Files, diags))
			}
			got := res.Definition.Search("s").Trial.Executor
			if d := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(definition.Executor{}, "DeclRange")); d != "" {
				t.Errorf("executor (-want +got):\n%s", d)
			}
			if got != nil && !strings.HasPrefix(sourceAt(tt.src, got.DeclRange), `executor "slurm" "`+got.Name+`"`) {
				t.Errorf("DeclRange %s is not the executor block's header", got.DeclRange)
			}
		})
	}
}

// TestExecutorShared checks that two searches naming one executor share
// its value.
func TestExecutorShared(t *testing.T) {
	src := execSearch(slurmBlock(""), "executor.slurm.gpu")
	src += strings.Replace(execSearch("", "executor.slurm.gpu"), `search "s"`, `search "t"`, 1)
	res, diags := loadAt(t, sharedDir, src, Options{})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	a, b := res.Definition.Search("s").Trial.Executor, res.Definition.Search("t").Trial.Executor
	if a == nil || a != b {
		t.Errorf("executors %p and %p, want one", a, b)
	}
}

// TestExecutorDiagnostics covers every bad executor block and reference:
// the diagnostic each must produce, its severity and the line of its
// subject, given as text found first on that line.
func TestExecutorDiagnostics(t *testing.T) {
	ref := "executor.slurm.gpu"
	inBlock := func(body string) string { return execSearch(slurmBlock(body), ref) }
	tests := []struct {
		name    string
		src     string
		dir     string // sharedDir when ""
		warning bool
		summary string
		at      string // text on the subject's line
		detail  string // substring of the detail
	}{
		{name: "unknown type", src: execSearch(`executor "slurn" "gpu" {
}
`, ""), summary: "Unknown executor type", at: `"slurn"`, detail: `Did you mean "slurm"? The known executor types are "slurm"`},
		{name: "unknown type by case", src: execSearch("executor \"SLURM\" \"gpu\" {\n}\n", ""), summary: "Unknown executor type", at: `"SLURM"`, detail: `Did you mean "slurm"?`},
		{name: "local type", src: execSearch("executor \"local\" \"x\" {\n}\n", ""), summary: "Unknown executor type", at: `"local"`, detail: "leave executor out of the trial block"},
		{name: "kubernetes type", src: execSearch("executor \"kubernetes\" \"x\" {\n}\n", ""), summary: "Unknown executor type", at: `"kubernetes"`, detail: `The known executor types are "slurm"`},
		{name: "invalid name", src: execSearch("executor \"slurm\" \"1gpu\" {\n}\n", ""), summary: "Invalid executor name", at: `"1gpu"`, detail: "starts with a letter"},
		{name: "missing name", src: execSearch("executor \"slurm\" {\n}\n", ""), summary: "Missing name for executor", at: `executor "slurm"`, detail: "name"},
		{name: "duplicate", src: execSearch(slurmBlock("")+"\nexecutor \"slurm\" \"gpu\" {\n  partition = \"b\"\n}\n", ref), summary: "Duplicate executor", at: "\nexecutor \"slurm\" \"gpu\" {\n  partition = \"b\"", detail: "already declared at main.fw.hcl:1"},
		{name: "unknown attribute", src: inBlock("  partiton = \"gpu\"\n"), summary: "Unsupported argument", at: "partiton", detail: `Did you mean "partition"?`},
		{name: "unknown attribute cpus", src: inBlock("  cpus = 4\n"), summary: "Unsupported argument", at: "cpus", detail: "not expected here"},
		{name: "nested block", src: inBlock("  options {\n  }\n"), summary: "Unsupported block type", at: "options", detail: "not expected"},
		{name: "empty partition", src: inBlock("  partition = \"\"\n"), summary: "Invalid partition", at: "partition", detail: "remove it for Slurm's default"},
		{name: "partition with space", src: inBlock("  partition = \"gpu a100\"\n"), summary: "Invalid partition", at: "partition", detail: "spaces or control characters"},
		{name: "account not a string", src: inBlock("  account = [\"ml\"]\n"), summary: "Incorrect attribute value type", at: "account", detail: "a string required"},
		{name: "bad time", src: inBlock("  time = \"2 hours\"\n"), summary: "Invalid time", at: "time", detail: `"2 hours" is not a time limit. time is each job's time limit (sbatch --time)`},
		{name: "zero time", src: inBlock("  time = \"0\"\n"), summary: "Invalid time", at: "time", detail: "not a positive time limit"},
		{name: "negative time", src: inBlock("  time = \"-1h\"\n"), summary: "Invalid time", at: "time", detail: "not a positive time limit"},
		{name: "unlimited time", src: inBlock("  time = \"UNLIMITED\"\n"), summary: "Invalid time", at: "time", detail: "is no limit"},
		{name: "too many fields", src: inBlock("  time = \"1:2:3:4\"\n"), summary: "Invalid time", at: "time", detail: "HH:MM:SS"},
		{name: "time too long", src: inBlock("  time = \"999999999-0\"\n"), summary: "Invalid time", at: "time", detail: "longer than the longest"},
		{name: "cpus zero", src: inBlock("  cpus_per_task = 0\n"), summary: "Invalid cpus_per_task", at: "cpus_per_task", detail: "at least 1"},
		{name: "cpus fraction", src: inBlock("  cpus_per_task = 1.5\n"), summary: "Invalid cpus_per_task", at: "cpus_per_task", detail: "whole number"},
		{name: "bad mem unit", src: inBlock("  mem = \"16GiB\"\n"), summary: "Invalid mem", at: "mem", detail: `"16GiB" is not a memory size. mem is the memory of each job (sbatch --mem)`},
		{name: "fractional mem", src: inBlock("  mem = \"1.5G\"\n"), summary: "Invalid mem", at: "mem", detail: "whole number"},
		{name: "mem too large", src: inBlock("  mem = \"99999999999999T\"\n"), summary: "Invalid mem", at: "mem", detail: "larger than any node's memory"},
		{name: "negative gpus", src: inBlock("  gpus = -1\n"), summary: "Invalid gpus", at: "gpus", detail: "0 or more"},
		{name: "gpus and gres", src: inBlock("  gpus = 1\n  gres = \"gpu:a100:1\"\n"), summary: "Both gpus and gres", at: "gres", detail: "gres = \"gpu:a100:1\""},
		{name: "extra arg not an option", src: inBlock("  extra_args = [\"--mail-type\", \"END\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: `"END" is not an sbatch option`},
		{name: "extra arg double dash", src: inBlock("  extra_args = [\"--\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: `"--" is not an sbatch option`},
		{name: "extra arg empty", src: inBlock("  extra_args = [\"\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: `"" is not an sbatch option`},
		{name: "extra arg output", src: inBlock("  extra_args = [\"--output=/tmp/x\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "sets sbatch --output, which fwapply sets itself"},
		{name: "extra arg abbreviated", src: inBlock("  extra_args = [\"--exp=NONE\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "sets sbatch --export, which fwapply sets itself"},
		{name: "extra arg short error", src: inBlock("  extra_args = [\"-e/tmp/err\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "sets sbatch --error"},
		{name: "extra arg wrap", src: inBlock("  extra_args = [\"--wrap=sleep 1\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "--wrap, which fwapply sets itself"},
		{name: "extra arg job name", src: inBlock("  extra_args = [\"-Jmine\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "--job-name, which fwapply sets itself"},
		{name: "extra arg signal", src: inBlock("  extra_args = [\"--signal=USR1@60\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "--signal"},
		{name: "extra arg parsable", src: inBlock("  extra_args = [\"--parsable\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "--parsable"},
		{name: "extra arg chdir", src: inBlock("  extra_args = [\"-D\", \"/x\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "--chdir"},
		{name: "extra arg time", src: inBlock("  extra_args = [\"--time=10\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "which the attribute time of the executor block sets: use time instead"},
		{name: "extra arg array", src: inBlock("  extra_args = [\"--array=0-3\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "use array instead"},
		{name: "extra arg partition", src: inBlock("  extra_args = [\"-pgpu\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "use partition instead"},
		{name: "extra arg gpus", src: inBlock("  extra_args = [\"--gpus=2\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "use gpus instead"},
		{name: "extra arg mem", src: inBlock("  extra_args = [\"--mem=4G\"]\n"), summary: "Invalid extra_args", at: "extra_args", detail: "use mem instead"},
		{name: "extra args not a list", src: inBlock("  extra_args = \"--exclusive\"\n"), summary: "Incorrect attribute value type", at: "extra_args", detail: "a list of strings"},
		{name: "array not a bool", src: inBlock("  array = \"yes\"\n"), summary: "Incorrect attribute value type", at: "array", detail: "a bool"},
		{name: "bad poll", src: inBlock("  poll = \"5\"\n"), summary: "Invalid poll", at: "poll", detail: `"5s", "30s" or "1m"`},
		{name: "zero poll", src: inBlock("  poll = \"0s\"\n"), summary: "Invalid poll", at: "poll", detail: "poll adaptively"},
		{name: "fast poll", src: inBlock("  poll = \"100ms\"\n"), warning: true, summary: "Fast poll", at: "poll", detail: "more than once a second"},
		{name: "undeclared variable", src: inBlock("  partition = var.part\n"), summary: "Reference to undeclared input variable", at: "partition", detail: `"part" is not declared`},
		{name: "reference to unknown name", src: execSearch(slurmBlock("")+"executor \"slurm\" \"cpu\" {\n}\n", "executor.slurm.gpus"), summary: "Reference to undeclared executor", at: "    executor = ", detail: `No executor "slurm" "gpus" is declared. Did you mean "gpu"? The slurm executors are "cpu" or "gpu".`},
		{name: "reference with no block", src: execSearch("", ref), summary: "Reference to undeclared executor", at: "    executor = ", detail: `Declare it with an executor "slurm" "gpu" block.`},
		{name: "reference to unknown type", src: execSearch(slurmBlock(""), "executor.slurmm.gpu"), summary: "Unknown executor type", at: "    executor = ", detail: `Did you mean "slurm"?`},
		{name: "reference as a string", src: execSearch(slurmBlock(""), `"executor.slurm.gpu"`), summary: "Invalid executor", at: "    executor = ", detail: "write executor = executor.slurm.gpu, without quotes"},
		{name: "reference as a label", src: execSearch(slurmBlock(""), `"gpu"`), summary: "Invalid executor", at: "    executor = ", detail: "write executor = executor.slurm.gpu, without quotes. A trial names its executor with a reference to an executor block, executor.TYPE.NAME"},
		{name: "reference as another string", src: execSearch(slurmBlock(""), `"slurm"`), summary: "Invalid executor", at: "    executor = ", detail: "executor is a reference, not a string. A trial names its executor with a reference to an executor block, executor.TYPE.NAME"},
		{name: "reference too short", src: execSearch(slurmBlock(""), "executor.slurm"), summary: "Invalid executor", at: "    executor = ", detail: "executor.slurm names no executor block"},
		{name: "reference too long", src: execSearch(slurmBlock(""), "executor.slurm.gpu.x"), summary: "Invalid executor", at: "    executor = ", detail: "names no executor block"},
		{name: "reference with index", src: execSearch(slurmBlock(""), `executor.slurm["gpu"]`), summary: "Invalid executor", at: "    executor = ", detail: "executor.TYPE.NAME"},
		{name: "reference with wrong root", src: execSearch(slurmBlock(""), "executors.slurm.gpu"), summary: "Invalid executor", at: "    executor = ", detail: `Did you mean "executor"?`},
		{name: "reference to a variable", src: execSearch(slurmBlock(""), "var.executor"), summary: "Invalid executor", at: "    executor = ", detail: "cannot be a variable"},
		{name: "reference expression", src: execSearch(slurmBlock(""), "true ? executor.slurm.gpu : null"), summary: "Invalid executor", at: "    executor = ", detail: "executor.TYPE.NAME"},
		{name: "executor outside a trial", src: strings.Replace(execSearch(slurmBlock(""), ""), "  trials   = 10\n", "  trials   = 10\n  base_config = { e = executor.slurm.gpu }\n", 1), summary: "Unknown variable", at: "base_config", detail: "executor"},
		{name: "tmp experiment root", src: strings.Replace(execSearch(slurmBlock(""), ref), "  trials   = 10\n", "  trials   = 10\n  experiment_root = \"/tmp/fw-trials\"\n", 1), warning: true, summary: "Trial directories on node-local storage", at: "    executor = ", detail: "their directories are under /tmp (experiment_root is /tmp/fw-trials): trial directories must be on storage the cluster's nodes share"},
		{name: "var tmp experiment root", src: strings.Replace(execSearch(slurmBlock(""), ref), "  trials   = 10\n", "  trials   = 10\n  experiment_root = \"/var/tmp/fw\"\n", 1), warning: true, summary: "Trial directories on node-local storage", at: "    executor = ", detail: "under /var/tmp"},
		{name: "default root under tmp", src: execSearch(slurmBlock(""), ref), dir: "/tmp/project", warning: true, summary: "Trial directories on node-local storage", at: "    executor = ", detail: "experiment_root is /tmp/project/.fw/trials"},
		{name: "time below timeout", src: strings.Replace(execSearch(slurmBlock("  time = \"30m\"\n"), ref), `command = ["true"]`, "command = [\"true\"]\n    timeout = \"1h\"", 1), warning: true, summary: "Executor time below the trial timeout", at: "    executor = ", detail: "after 30m0s (its time), before the trial timeout of 1h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir
			if dir == "" {
				dir = sharedDir
			}
			res, diags := loadAt(t, dir, tt.src, Options{})
			if !tt.warning && res.Definition != nil {
				t.Errorf("a definition was returned with errors")
			}
			if tt.warning && diags.HasErrors() {
				t.Errorf("errors besides the warning:\n%s", render(res.Files, diags))
			}
			var found *hcl.Diagnostic
			for _, d := range diags {
				if d.Summary == tt.summary {
					found = d
					break
				}
			}
			if found == nil {
				t.Fatalf("no diagnostic %q; got:\n%s", tt.summary, render(res.Files, diags))
			}
			if want := map[bool]hcl.DiagnosticSeverity{false: hcl.DiagError, true: hcl.DiagWarning}[tt.warning]; found.Severity != want {
				t.Errorf("severity %v, want %v", found.Severity, want)
			}
			if !strings.Contains(found.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", found.Detail, tt.detail)
			}
			at := strings.Index(tt.src, tt.at)
			if at < 0 {
				t.Fatalf("%q is not in the source", tt.at)
			}
			wantLine := strings.Count(tt.src[:at+len(tt.at)-len(strings.TrimLeft(tt.at, "\n"))], "\n") + 1
			if found.Subject == nil || found.Subject.Start.Line != wantLine || found.Subject.Filename != "main.fw.hcl" {
				t.Errorf("diagnostic at %v; want line %d\n%s", found.Subject, wantLine, render(res.Files, diags))
			}
		})
	}
}

// TestExecutorNoWarning checks the cases that must not warn: shared
// storage, a time at or above the timeout, and searches that run locally
// under /tmp.
func TestExecutorNoWarning(t *testing.T) {
	withTimeout := func(src, timeout string) string {
		return strings.Replace(src, `command = ["true"]`, "command = [\"true\"]\n    timeout = \""+timeout+"\"", 1)
	}
	tests := []struct{ name, dir, src string }{
		{"shared default root", sharedDir, execSearch(slurmBlock(""), "executor.slurm.gpu")},
		{"shared absolute root", "/tmp/project", strings.Replace(execSearch(slurmBlock(""), "executor.slurm.gpu"), "  trials   = 10\n", "  trials   = 10\n  experiment_root = \"/scratch/tmp/fw\"\n", 1)},
		{"local search under tmp", "/tmp/project", execSearch(slurmBlock(""), "")},
		{"a tmp-like name", "/tmpfs-shared/project", execSearch(slurmBlock(""), "executor.slurm.gpu")},
		{"time equal to timeout", sharedDir, withTimeout(execSearch(slurmBlock("  time = \"60\"\n"), "executor.slurm.gpu"), "1h")},
		{"time without timeout", sharedDir, execSearch(slurmBlock("  time = \"1\"\n"), "executor.slurm.gpu")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := loadAt(t, tt.dir, tt.src, Options{})
			if len(diags) > 0 {
				t.Errorf("diagnostics:\n%s", render(res.Files, diags))
			}
		})
	}
}

// TestExecutorNotInMeaning checks, through the loader, that where trials
// run changes neither the fingerprints by which plans match existing
// trials nor the settings by which they say what changed.
func TestExecutorNotInMeaning(t *testing.T) {
	local, diags := loadAt(t, sharedDir, execSearch("", ""), Options{})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	slurm, diags := loadAt(t, sharedDir, execSearch(slurmBlock("  partition = \"gpu\"\n  array = true\n"), "executor.slurm.gpu"), Options{})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	a, b := local.Definition.Search("s"), slurm.Definition.Search("s")
	if b.Trial.Executor == nil {
		t.Fatal("no executor loaded")
	}
	if a.Fingerprint() != b.Fingerprint() || a.SpaceFingerprint() != b.SpaceFingerprint() {
		t.Error("the executor changed the search's fingerprints")
	}
	if c := definition.SettingsChanges(a.Settings(), b.Settings()); len(c) != 0 {
		t.Errorf("the executor shows as settings changes: %v", c)
	}
}

func TestParseSlurmTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration // 0: an error
	}{
		{"2h", 2 * time.Hour},
		{"90m", 90 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{"30s", 30 * time.Second},
		{"90", 90 * time.Minute},
		{"5:30", 5*time.Minute + 30*time.Second},
		{"01:02:03", time.Hour + 2*time.Minute + 3*time.Second},
		{"2-0", 48 * time.Hour},
		{"1-12", 36 * time.Hour},
		{"1-1:30", 25*time.Hour + 30*time.Minute},
		{"1-1:30:10", 25*time.Hour + 30*time.Minute + 10*time.Second},
		{"0:30", 30 * time.Second},
		{"0", 0},
		{"0:0:0", 0},
		{"-1h", 0},
		{"-5", 0},
		{"", 0},
		{" 2h", 0},
		{"2 h", 0},
		{"1:2:3:4", 0},
		{"1-2-3", 0},
		{"1-", 0},
		{"-1-0", 0},
		{"1::2", 0},
		{"1h30", 0},
		{"+5", 0},
		{"1.5", 0},
		{"UNLIMITED", 0},
		{"infinite", 0},
		{"1234567890", 0},
		{"106751-23:47:16", 106751*24*time.Hour + 23*time.Hour + 47*time.Minute + 16*time.Second},
		{"106752-0", 0},
	}
	for _, tt := range tests {
		got, err := parseSlurmTime(tt.in)
		switch {
		case tt.want == 0 && err == nil:
			t.Errorf("parseSlurmTime(%q) = %v, want an error", tt.in, got)
		case tt.want != 0 && (err != nil || got != tt.want):
			t.Errorf("parseSlurmTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSlurmSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64 // megabytes; -1: an error
	}{
		{"16G", 16 << 10},
		{"16g", 16 << 10},
		{"16GB", 16 << 10},
		{"16Gb", 16 << 10},
		{"512", 512},
		{"512M", 512},
		{"1T", 1 << 20},
		{"1024K", 1},
		{"1K", 1},
		{"0", 0},
		{"", -1},
		{"G", -1},
		{"16B", -1},
		{"16GiB", -1},
		{"16P", -1},
		{"1.5G", -1},
		{"-1G", -1},
		{"+1G", -1},
		{" 16G", -1},
		{"16 G", -1},
		{"16GG", -1},
		{"8388607T", 8388607 << 20},
		{"8388608T", -1},
		{"9999999999999999999", -1},
	}
	for _, tt := range tests {
		got, err := parseSlurmSize(tt.in)
		switch {
		case tt.want < 0 && err == nil:
			t.Errorf("parseSlurmSize(%q) = %d, want an error", tt.in, got)
		case tt.want >= 0 && (err != nil || got != tt.want):
			t.Errorf("parseSlurmSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestReservedFlagsListed(t *testing.T) {
	// Every flag fwapply sets itself for a job must be refused.
	for _, f := range []string{"--output", "--error", "--array", "--job-name", "--wrap", "--parsable", "--chdir", "--export", "--signal", "--time"} {
		if extraArgProblem(f+"=x") == "" {
			t.Errorf("extra_args accepts %s", f)
		}
	}
	// Options that merely share a prefix with a reserved one are sbatch's
	// own, and allowed.
	for _, f := range []string{"--exclusive", "--mem-per-cpu=4G", "--gpus-per-node=2", "--time-min=10", "--export-file=env", "--gres-flags=enforce-binding", "--mail-type=END", "-N2", "--nodes=1", "--requeue", "--open-mode=append"} {
		if p := extraArgProblem(f); p != "" {
			t.Errorf("extra_args refuses %s: %s", f, p)
		}
	}
}

// FuzzSlurmTime checks parseSlurmTime on any string: no panic, a positive
// duration or an error, and Slurm's D-HH:MM:SS form of what it returns
// parses back to the same duration when it is whole seconds.
func FuzzSlurmTime(f *testing.F) {
	for _, s := range []string{"2h", "90", "5:30", "01:02:03", "1-12", "1-1:30", "1-1:30:10", "0", "-1h", "1:2:3:4", "UNLIMITED", "106751-23:47:16", "1.5h", "1-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseSlurmTime(s)
		if err != nil {
			if d != 0 {
				t.Errorf("parseSlurmTime(%q) = %v with an error", s, d)
			}
			return
		}
		if d <= 0 {
			t.Fatalf("parseSlurmTime(%q) = %v, not positive", s, d)
		}
		if d%time.Second != 0 {
			return
		}
		sec := int64(d / time.Second)
		form := fmt.Sprintf("%d-%02d:%02d:%02d", sec/86400, sec/3600%24, sec/60%60, sec%60)
		if back, err := parseSlurmTime(form); err != nil || back != d {
			t.Errorf("parseSlurmTime(%q) = %v, but its form %q gives %v, %v", s, d, form, back, err)
		}
	})
}

// FuzzSlurmSize checks parseSlurmSize on any string: no panic, a size of
// zero or more or an error, and the size in kilobytes with unit K parses
// back to the same number of megabytes.
func FuzzSlurmSize(f *testing.F) {
	for _, s := range []string{"16G", "16g", "16GB", "512", "1T", "1024K", "0", "16B", "1.5G", "8388607T", "9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mb, err := parseSlurmSize(s)
		if err != nil {
			return
		}
		if mb < 0 {
			t.Fatalf("parseSlurmSize(%q) = %d", s, mb)
		}
		if mb <= (1<<62)>>10 {
			if back, err := parseSlurmSize(fmt.Sprintf("%dM", mb)); err != nil || back != mb {
				t.Errorf("parseSlurmSize(%q) = %d, but %dM gives %d, %v", s, mb, mb, back, err)
			}
		}
	})
}

// TestExecutorBlockErrorsOnce checks that a trial referring to an executor
// block with errors gets no error of its own: the block's are enough.
func TestExecutorBlockErrorsOnce(t *testing.T) {
	res, diags := loadAt(t, sharedDir, execSearch(slurmBlock("  mem = \"lots\"\n"), "executor.slurm.gpu"), Options{})
	if len(diags) != 1 || diags[0].Summary != "Invalid mem" {
		t.Errorf("want only Invalid mem, got:\n%s", render(res.Files, diags))
	}
}

// TestExecutorDocExample checks that the executor block of docs/language.md's
// example loads, with its documented values.
func TestExecutorDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	const head = "```hcl\nexecutor \"slurm\" \"gpu\" {"
	_, after, ok := strings.Cut(string(doc), head)
	if !ok {
		t.Fatal("no executor example in docs/language.md")
	}
	block, _, ok := strings.Cut(after, "\n}\n")
	if !ok {
		t.Fatal("the executor example is not closed")
	}
	src := execSearch(strings.TrimPrefix(head, "```hcl\n")+block+"\n}\n", "executor.slurm.gpu")
	res, diags := loadAt(t, sharedDir, src, Options{})
	if len(diags) > 0 {
		t.Fatalf("the example does not load:\n%s", render(res.Files, diags))
	}
	want := &definition.Executor{Type: "slurm", Name: "gpu", Partition: "gpu", Time: 2 * time.Hour, CPUsPerTask: 4, Mem: "16G", GPUs: 1,
		Account: "ml", ExtraArgs: []string{"--exclusive"}, Array: true, Poll: 5 * time.Second}
	if d := cmp.Diff(want, res.Definition.Search("s").Trial.Executor, cmpopts.IgnoreFields(definition.Executor{}, "DeclRange")); d != "" {
		t.Errorf("example (-want +got):\n%s", d)
	}
}

// BenchmarkLoadExecutor measures what executor blocks add to a load: 200
// searches on one executor, against the same searches run locally.
func BenchmarkLoadExecutor(b *testing.B) {
	build := func(ref string) []byte {
		var src strings.Builder
		if ref != "" {
			src.WriteString(slurmBlock("  partition = \"gpu\"\n  time = \"1-12:00:00\"\n  mem = \"16G\"\n  extra_args = [\"--exclusive\"]\n"))
		}
		for i := range 200 {
			src.WriteString(strings.Replace(execSearch("", ref), `search "s"`, fmt.Sprintf(`search "s%d"`, i), 1))
		}
		return []byte(src.String())
	}
	for _, c := range []struct{ name, ref string }{{"local", ""}, {"slurm", "executor.slurm.gpu"}} {
		src := build(c.ref)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, diags := Load(sharedDir, []Source{{Name: "main.fw.hcl", Bytes: src}}, Options{}); len(diags) > 0 {
					b.Fatal(diags)
				}
			}
		})
	}
}
