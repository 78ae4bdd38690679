package golden

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

// violations are, per golden package, statements that break the config c
// (from Defaults) and the exact lines Validate must report, in param
// order. Each runs in the check program.
var violations = map[string][]string{
	"random": {`
	c := random.Defaults()
	c.Training.LR = 0.5
	c.Training.BatchSize = 1000
	c.Optimizer = "adamw"
	expect("random", c.Validate(),
		"training.lr: 0.5 is above the maximum 0.01",
		"training.batch_size: 1000 is above the maximum 256",
		"optimizer: \"adamw\" is not one of \"adam\", \"sgd\" or \"rmsprop\"")`},
	"bayesian": {`
	c := bayesian.Defaults()
	c.Training.LR = math.NaN()
	c.Training.BatchSize = 31
	c.Model.Dropout = -0.1
	expect("bayesian", c.Validate(),
		"training.lr: NaN is not a number",
		"training.batch_size: 31 is below the minimum 32",
		"model.dropout: -0.1 is below the minimum 0")`},
	"grid": {`
	c := grid.Defaults()
	c.Model.HiddenDim = 48
	c.Model.Activation = "swish"
	c.Training.LR = 0.0123
	expect("grid", c.Validate(),
		"model.hidden_dim: 48 is off the grid from 32 to 128 in steps of 32",
		"model.activation: \"swish\" is not one of \"relu\", \"tanh\" or \"gelu\"",
		"training.lr: 0.0123 is off the grid from 0.005 to 0.02 in steps of 0.005")`, `
	c := grid.Defaults()
	c.Training.LR = 0.005 * 3 // 0.015000000000000001: on the grid within tolerance
	c.Model.HiddenDim = 128
	expect("grid", c.Validate())`},
	"categoricals": {`
	c := categoricals.Defaults()
	c.BatchSize = 48
	c.Dropout = 0.3
	c.SeedOffset = 2
	c.Activation = categoricals.ActivationLeakyReLU
	expect("categoricals", c.Validate(),
		"batch_size: 48 is not one of 32, 64 or 128",
		"dropout: 0.3 is not one of 0.1, 0.2 or 0.5",
		"seed_offset: 2 is not one of 1 or 5000000000")`},
	"nested": {`
	c := nested.Defaults()
	c.Model.Encoder.Attention.Heads = 3
	c.Model.Encoder.Attention.Temperature = 2.5
	c.Model.Decoder.Layers = 0
	expect("nested", c.Validate(),
		"model.encoder.attention.heads: 3 is off the grid from 2 to 16 in steps of 2",
		"model.encoder.attention.temperature: 2.5 is above the maximum 2",
		"model.decoder.layers: 0 is below the minimum 1")`},
	"keywords": {`
	c := keywords.Defaults()
	c.Type = "gru"
	c.Range = 9
	c.X2dConv.KernelSize = 4
	expect("keywords", c.Validate(),
		"type: \"gru\" is not one of \"cnn\", \"mlp\" or \"rnn\"",
		"range: 9 is above the maximum 5",
		"2d_conv.kernel_size: 4 is not one of 3 or 5")`},
	"shared": {`
	c := shared.Defaults()
	c.Training.LR = 0.05 // coarse searches it, fine does not
	expect("shared", c.Validate())
	expect("shared coarse", c.ValidateForCoarse())
	expect("shared fine", c.ValidateForFine(), "training.lr: 0.05 is above the maximum 0.01")`, `
	c := shared.Defaults()
	c.Training.LR = 0.5
	c.Optimizer = shared.OptimizerRMSProp
	expect("shared", c.Validate(),
		"search \"coarse\": training.lr: 0.5 is above the maximum 0.1",
		"search \"fine\": training.lr: 0.5 is above the maximum 0.01",
		"search \"fine\": optimizer: \"rmsprop\" is not one of \"adam\" or \"sgd\"")`},
	"jsonfile": {`
	c := jsonfile.Defaults()
	c.Optim.Momentum = 0.85
	c.Model.WidthMultiplier = 1.2
	expect("jsonfile", c.Validate(),
		"optim.momentum: 0.85 is not one of 0.8, 0.9 or 0.95",
		"model.width_multiplier: 1.2 is off the grid from 0.5 to 2 in steps of 0.5")`},
	"conditional": {`
	c := conditional.Defaults() // momentum 0 and dropout 0: the base values of inactive params
	expect("conditional", c.Validate())
	c.Optimizer = conditional.OptimizerSGD
	c.Training.Momentum = 1.5
	c.Model.Dropout = 0.2
	expect("conditional", c.Validate(),
		"training.momentum: 1.5 is above the maximum 0.99",
		"model.dropout: 0.2 is not one of 0.1, 0.3 or 0.5")`},
	"gotypes": {`
	c := gotypes.Defaults()
	c.Width = 48
	c.Epochs = 7
	expect("gotypes", c.Validate(),
		"width: 48 is not one of 32, 64 or 128",
		"epochs: 7 is off the grid from 5 to 50 in steps of 5")`},
}

// checkHelpers are the functions of the check program.
const checkHelpers = `
var failed bool

func fail(format string, args ...any) {
	failed = true
	fmt.Printf(format+"\n", args...)
}

// decode decodes a config strictly, as the harness does.
func decode[C any](data string) (C, error) {
	var c C
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(&c)
	return c, err
}

// checkDefaults checks that Defaults is the base config: decoding the base
// config's JSON strictly into a zero Config gives it, encoding it gives
// the base config back, and Validate accepts it.
func checkDefaults[C any](name string, got C, validate func(C) error, base string) {
	want, err := decode[C](base)
	if err != nil {
		fail("%s: the base config does not decode into Config: %v", name, err)
		return
	}
	if !reflect.DeepEqual(got, want) {
		fail("%s: Defaults() = %+v, want %+v (the base config)", name, got, want)
	}
	enc, err := json.Marshal(got)
	if err != nil {
		fail("%s: encoding Defaults(): %v", name, err)
		return
	}
	again, err := decode[C](string(enc))
	if err != nil || !reflect.DeepEqual(again, got) {
		fail("%s: Defaults() does not survive a JSON round trip: %v", name, err)
	}
	if err := validate(got); err != nil {
		fail("%s: Validate(Defaults()): %v", name, err)
	}
}

// checkTrials checks that Validate accepts trial configs of the search.
func checkTrials[C any](name string, validate func(C) error, configs ...string) {
	for _, data := range configs {
		c, err := decode[C](data)
		if err != nil {
			fail("%s: trial config %s does not decode: %v", name, data, err)
			continue
		}
		if err := validate(c); err != nil {
			fail("%s: Validate rejects the trial config %s: %v", name, data, err)
		}
	}
}

// expect checks that err reports exactly the lines want, as separate
// joined errors.
func expect(name string, err error, want ...string) {
	if len(want) == 0 {
		if err != nil {
			fail("%s: Validate: %v, want nil", name, err)
		}
		return
	}
	if err == nil {
		fail("%s: Validate returned nil, want %q", name, want)
		return
	}
	if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, want) {
		fail("%s: Validate reported\n\t%s\nwant\n\t%s", name, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	if j, ok := err.(interface{ Unwrap() []error }); !ok || len(j.Unwrap()) != len(want) {
		fail("%s: Validate did not join one error per violation: %#v", name, err)
	}
}
`

// TestCompile builds every golden package in a module of its own, vets it
// and runs a program that checks Defaults and Validate.
func TestCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Go programs; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if missing := missingRuntime(filepath.Join(root, "runtime")); missing != "" {
		t.Skipf("package runtime has no %s yet, which the generated code calls; the compile test runs once it lands", missing)
	}

	tmp := t.TempDir()
	gomod := fmt.Sprintf("module example.com/g\n\ngo 1.26\n\nrequire github.com/frameworm/frameworm v0.0.0\n\nreplace github.com/frameworm/frameworm => %s\n", root)
	writeFile(t, filepath.Join(tmp, "go.mod"), gomod)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(tmp, "go.sum"), string(sum))

	var imports, body []string
	for _, c := range loadCases(t) {
		if c.src == nil {
			continue
		}
		golden, err := os.ReadFile(filepath.Join(c.dir, c.name+".gen.go.golden"))
		if err != nil {
			t.Fatalf("%v (run go test ./golden -update first)", err)
		}
		writeFile(t, filepath.Join(tmp, c.name, c.name+".gen.go"), string(golden))
		imports = append(imports, fmt.Sprintf("\t%q", "example.com/g/"+c.name))
		body = append(body, checks(t, c, string(golden))...)
		for _, v := range violations[c.name] {
			body = append(body, "\t{"+v+"\n\t}")
		}
		if violations[c.name] == nil {
			t.Errorf("%s: no violation checks; add some to violations", c.name)
		}
	}
	prog := "package main\n\nimport (\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"math\"\n\t\"os\"\n\t\"reflect\"\n\t\"strings\"\n\n" +
		strings.Join(imports, "\n") + "\n)\n\nvar _ = math.NaN\n" + checkHelpers +
		"\nfunc main() {\n" + strings.Join(body, "\n") + "\n\tif failed {\n\t\tos.Exit(1)\n\t}\n\tfmt.Println(\"ok\")\n}\n"
	writeFile(t, filepath.Join(tmp, "check", "main.go"), prog)
	writeFile(t, filepath.Join(tmp, "trial", "main.go"), trialProgram)

	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}, {"run", "./check"}} {
		cmd := exec.Command(goBin, args...)
		cmd.Dir = tmp
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s\ncheck program:\n%s", strings.Join(args, " "), err, out, numbered(prog))
		}
	}
	runTrial(t, goBin, tmp, env)
}

// trialProgram is a training program on the generated Main of package
// random: its metric is a function of the config.
const trialProgram = `package main

import (
	"context"

	"example.com/g/random"
	"github.com/frameworm/frameworm/runtime"
)

func main() {
	random.Main(func(ctx context.Context, cfg random.Config, r *runtime.Reporter) (random.Metrics, error) {
		if err := r.Report(1, random.Metrics{ValLoss: 1}); err != nil {
			return random.Metrics{}, err
		}
		return random.Metrics{ValLoss: cfg.Training.LR * float64(cfg.Training.BatchSize)}, nil
	})
}
`

// runTrial runs the trial program the way fwapply does: it reports the
// generated fingerprint, rejects a config outside the search space with
// every violation, and writes the metrics of a valid one.
func runTrial(t *testing.T, goBin, tmp string, env []string) {
	bin := filepath.Join(tmp, "trial.bin")
	build := exec.Command(goBin, "build", "-o", bin, "./trial")
	build.Dir, build.Env = tmp, env
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./trial: %v\n%s", err, out)
	}
	golden := readGolden(t, "random")
	want := regexp.MustCompile(`SchemaFingerprint = "([0-9a-f]{64})"`).FindStringSubmatch(golden)
	out, err := exec.Command(bin, "-fw-schema").Output()
	if err != nil || want == nil || strings.TrimSpace(string(out)) != want[1] {
		t.Errorf("trial -fw-schema = %q, %v; want the generated SchemaFingerprint", out, err)
	}

	dir := t.TempDir()
	trial := func(config string) (string, string, error) {
		cfgPath := filepath.Join(dir, "config.json")
		writeFile(t, cfgPath, config)
		metrics := filepath.Join(dir, "metrics.json")
		os.Remove(metrics)
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "FW_CONFIG="+cfgPath, "FW_METRICS="+metrics,
			"FW_PROGRESS="+filepath.Join(dir, "progress.jsonl"), "FW_SEARCH=coarse", "FW_TRIAL=1", "FW_TRIAL_DIR="+dir)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		m, _ := os.ReadFile(metrics)
		return string(m), stderr.String(), err
	}
	bad := `{"training": {"lr": 0.5, "batch_size": 1000, "epochs": 5}, "model": {"hidden_dim": 256, "dropout": 0.1}, "optimizer": "adamw"}`
	if _, stderr, err := trial(bad); err == nil ||
		!strings.Contains(stderr, "training.lr: 0.5 is above the maximum 0.01") ||
		!strings.Contains(stderr, "training.batch_size: 1000 is above the maximum 256") ||
		!strings.Contains(stderr, `optimizer: "adamw" is not one of "adam", "sgd" or "rmsprop"`) {
		t.Errorf("a config outside the space: err %v, stderr:\n%s", err, stderr)
	}
	good := `{"training": {"lr": 0.001, "batch_size": 64, "epochs": 5}, "model": {"hidden_dim": 256, "dropout": 0.1}, "optimizer": "sgd"}`
	metrics, stderr, err := trial(good)
	var got map[string]float64
	if err != nil || json.Unmarshal([]byte(metrics), &got) != nil || got["val_loss"] != 0.064 {
		t.Errorf("a valid config: err %v, metrics %q, stderr:\n%s", err, metrics, stderr)
	}
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name, name+".gen.go.golden"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checks are the check program's statements for one package: Defaults
// against each base config, Validate against sampled trial configs.
func checks(t *testing.T, c *goldenCase, src string) []string {
	t.Helper()
	pkg := c.name
	var out []string
	if len(c.def.Searches) == 1 {
		s := c.def.Searches[0]
		out = append(out, fmt.Sprintf("\tcheckDefaults(%q, %s.Defaults(), %s.Config.Validate, %q)", pkg, pkg, pkg, jsonOf(t, s.BaseConfig)))
		out = append(out, fmt.Sprintf("\tcheckTrials(%q, %s.Config.Validate, %s)", pkg, pkg, trialConfigs(t, s)))
		return out
	}
	merged := map[string]any{}
	for _, s := range c.def.Searches {
		mergeFirst(merged, s.BaseConfig)
	}
	out = append(out, fmt.Sprintf("\tcheckDefaults(%q, %s.Defaults(), %s.Config.Validate, %q)", pkg, pkg, pkg, jsonOf(t, merged)))
	for _, s := range c.def.Searches {
		m := regexp.MustCompile(`Search(\w+)\s+= "` + regexp.QuoteMeta(s.Name) + `"`).FindStringSubmatch(src)
		if m == nil {
			t.Fatalf("%s: no Search constant for %q", pkg, s.Name)
		}
		g := m[1]
		out = append(out, fmt.Sprintf("\tcheckDefaults(%q, %s.DefaultsFor%s(), %s.Config.ValidateFor%s, %q)", pkg+" "+s.Name, pkg, g, pkg, g, jsonOf(t, s.BaseConfig)))
		configs := trialConfigs(t, s)
		out = append(out, fmt.Sprintf("\tcheckTrials(%q, %s.Config.ValidateFor%s, %s)", pkg+" "+s.Name, pkg, g, configs))
		out = append(out, fmt.Sprintf("\tcheckTrials(%q, %s.Config.Validate, %s)", pkg+" "+s.Name, pkg, configs))
	}
	return out
}

// trialConfigs resolves sampled points of the search, and the points at
// the corners of its space, as Go string literals of their JSON.
func trialConfigs(t *testing.T, s *definition.Search) string {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var points []space.Point
	for i := 0; i < 24; i++ {
		points = append(points, s.Space.Sample(r))
	}
	for _, corner := range []int{0, 1} {
		var p space.Point
		for _, d := range s.Space.Dims() {
			switch d := d.(type) {
			case *space.Real:
				p = append(p, []float64{d.Low, d.High}[corner])
			case *space.Integer:
				p = append(p, []int64{d.Low, d.High}[corner])
			case *space.Categorical:
				p = append(p, d.Values[corner*(len(d.Values)-1)])
			}
		}
		points = append(points, p)
	}
	var lits []string
	for _, p := range points {
		cfg, err := s.Resolve(p)
		if err != nil {
			t.Fatal(err)
		}
		lits = append(lits, fmt.Sprintf("%q", jsonOf(t, cfg)))
	}
	return strings.Join(lits, ",\n\t\t")
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mergeFirst adds the paths of src that dst lacks, as the generated
// Defaults of several searches merges their base configs.
func mergeFirst(dst, src map[string]any) {
	for k, v := range src {
		old, ok := dst[k]
		if !ok || old == nil {
			dst[k] = definition.CopyValue(v)
			continue
		}
		om, ok1 := old.(map[string]any)
		vm, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			mergeFirst(om, vm)
		}
	}
}

// missingRuntime names what the generated code needs from package runtime
// and the package does not declare yet, or returns "".
func missingRuntime(dir string) string {
	found := map[string]bool{}
	fset := token.NewFileSet()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, s := range g.Specs {
					found[s.(*ast.TypeSpec).Name.Name] = true
				}
			}
		}
	}
	for _, name := range []string{"Harness", "Reporter"} {
		if !found[name] {
			return "runtime." + name
		}
	}
	return ""
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func numbered(src string) string {
	var b strings.Builder
	for i, l := range strings.Split(src, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}
