package gen

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/importer"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/definition"
	fwhcl "github.com/frameworm/frameworm/hcl"
)

// load loads search files given as name, contents pairs.
func load(t *testing.T, files ...string) (*definition.Definition, map[string]*hcl.File) {
	t.Helper()
	var srcs []fwhcl.Source
	for i := 0; i+1 < len(files); i += 2 {
		srcs = append(srcs, fwhcl.Source{Name: files[i], Bytes: []byte(files[i+1])})
	}
	res, diags := fwhcl.Load(t.TempDir(), srcs, fwhcl.Options{})
	if diags.HasErrors() {
		t.Fatalf("load: %s", renderDiags(res.Files, diags))
	}
	return res.Definition, res.Files
}

// search wraps a base_config and params in a search block.
func search(name, body string) string {
	return `search "` + name + `" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 10
` + body + `
  trial {
    command = ["true"]
  }
}
`
}

func renderDiags(files map[string]*hcl.File, diags hcl.Diagnostics) string {
	var b bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&b, files, 100, false)
	for _, d := range diags {
		_ = w.WriteDiagnostic(d)
	}
	return b.String()
}

// generate generates and fails the test on error diagnostics.
func generate(t *testing.T, def *definition.Definition, opts Options) []byte {
	t.Helper()
	if opts.Package == "" {
		opts.Package = "fwconfig"
	}
	src, diags := Generate(def, opts)
	if diags.HasErrors() {
		t.Fatalf("Generate: %s", renderDiags(nil, diags))
	}
	return src
}

// fieldTypes returns "Type.Field" -> Go type of every struct field of src.
func fieldTypes(t *testing.T, src []byte) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "gen.go", src, 0)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		switch typ := ts.Type.(type) {
		case *ast.StructType:
			for _, fld := range typ.Fields.List {
				for _, name := range fld.Names {
					out[ts.Name.Name+"."+name.Name] = exprString(fset, fld.Type)
				}
			}
		default:
			out[ts.Name.Name] = exprString(fset, typ)
		}
		return true
	})
	return out
}

func exprString(fset *token.FileSet, e ast.Expr) string {
	var b strings.Builder
	_ = printer.Fprint(&b, fset, e)
	return b.String()
}

// runtimeStub stands in for package runtime when type-checking generated
// code, so that these tests do not depend on the harness.
const runtimeStub = `package runtime

import "context"

type Reporter struct{}

func (r *Reporter) Report(step int64, metrics any) error { return nil }

type Harness[C any, M any] struct {
	Defaults    func() C
	Validate    func(C) error
	Fingerprint string
	Metric      string
}

func (h Harness[C, M]) Main(train func(ctx context.Context, cfg C, r *Reporter) (M, error)) {}
`

type stubImporter struct {
	std types.Importer
	rt  *types.Package
}

var (
	stdOnce sync.Once
	stdImp  types.Importer
)

func (s *stubImporter) Import(path string) (*types.Package, error) {
	if path == runtimePath {
		return s.rt, nil
	}
	return s.std.Import(path)
}

// typeCheck type-checks generated code against the runtime stub, like the
// compiler would, and reports what go vet's printf and structtag checks
// would (the golden compile test runs the real go vet).
func typeCheck(t *testing.T, src []byte) {
	t.Helper()
	if formatted, err := format.Source(src); err != nil || !bytes.Equal(formatted, src) {
		t.Fatalf("the generated code is not gofmt'd (%v):\n%s", err, src)
	}
	stdOnce.Do(func() { stdImp = importer.ForCompiler(token.NewFileSet(), "source", nil) })
	fset := token.NewFileSet()
	rf, err := parser.ParseFile(fset, "runtime.go", runtimeStub, 0)
	if err != nil {
		t.Fatal(err)
	}
	imp := &stubImporter{std: stdImp}
	rt, err := (&types.Config{Importer: stdImp}).Check(runtimePath, fset, []*ast.File{rf}, nil)
	if err != nil {
		t.Fatal(err)
	}
	imp.rt = rt
	f, err := parser.ParseFile(fset, "gen.go", src, parser.ParseComments)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	var errs []string
	conf := types.Config{Importer: imp, Error: func(err error) { errs = append(errs, err.Error()) }}
	_, _ = conf.Check("example.com/fwconfig", fset, []*ast.File{f}, nil)
	if len(errs) > 0 {
		t.Fatalf("the generated code does not type-check:\n%s\n%s", strings.Join(errs, "\n"), numbered(src))
	}
}

func numbered(src []byte) string {
	var b strings.Builder
	for i, l := range strings.Split(string(src), "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}
