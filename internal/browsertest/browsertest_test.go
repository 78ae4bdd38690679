package browsertest

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindMissing: a binary named in the environment that is not there is
// reported with the variable and the way to install the browser.
func TestFindMissing(t *testing.T) {
	t.Setenv(EnvChromium, filepath.Join(t.TempDir(), "no-chromium"))
	_, err := Find()
	if err == nil || !strings.Contains(err.Error(), EnvChromium) || !strings.Contains(err.Error(), "scripts/chromium") {
		t.Fatalf("Find() error = %v, want one naming %s and scripts/chromium", err, EnvChromium)
	}
}

// recorder is a testing.TB that records Skipf and Fatalf instead of
// stopping the test.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Skipf(f string, args ...any)  { r.skipped = fmt.Sprintf(f, args...) }
func (r *recorder) Fatalf(f string, args ...any) { r.failed = fmt.Sprintf(f, args...) }
func (r *recorder) Skip(args ...any)             { r.skipped = fmt.Sprint(args...) }
func (r *recorder) Fatal(args ...any)            { r.failed = fmt.Sprint(args...) }

// TestRequire: a missing browser skips the test, saying why and how to
// install it, or fails it when FW_TEST_BROWSER_REQUIRED=1.
func TestRequire(t *testing.T) {
	t.Setenv(EnvChromedriver, filepath.Join(t.TempDir(), "no-driver"))
	for _, tc := range []struct {
		required     string
		skip, failed bool
	}{{"", true, false}, {"0", true, false}, {"1", false, true}} {
		t.Setenv(EnvRequired, tc.required)
		r := &recorder{TB: t}
		Require(r)
		if (r.skipped != "") != tc.skip || (r.failed != "") != tc.failed {
			t.Errorf("%s=%q: skipped %q, failed %q", EnvRequired, tc.required, r.skipped, r.failed)
		}
		if msg := r.skipped + r.failed; !strings.Contains(msg, "scripts/chromium") || !strings.Contains(msg, EnvChromedriver) {
			t.Errorf("%s=%q: the message %q does not say what is missing and how to install it", EnvRequired, tc.required, msg)
		}
	}
}

// TestSession drives the browser through every call of the client on a
// small local page.
func TestSession(t *testing.T) {
	s := New(t, 800, 600)
	page := filepath.Join(t.TempDir(), "page.html")
	const html = `<!DOCTYPE html><html><head><style>body{background:#fff} #b{background:#d55e00;width:300px;height:200px}</style></head>
<body><p id="p" data-x="1">hello <b>world</b></p><div id="b">box</div><ul><li>a</li><li>b</li><li>c</li></ul>
<button id="c" onclick="this.textContent='clicked'">click me</button></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	u, err := FileURL(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Navigate(u); err != nil {
		t.Fatal(err)
	}
	p, err := s.Find("#p")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := p.Text(); err != nil || got != "hello world" {
		t.Errorf("Text() = %q, %v; want \"hello world\"", got, err)
	}
	if got, ok, err := p.Attribute("data-x"); err != nil || !ok || got != "1" {
		t.Errorf("Attribute(data-x) = %q, %v, %v; want \"1\", true", got, ok, err)
	}
	if _, ok, err := p.Attribute("data-none"); err != nil || ok {
		t.Errorf("Attribute(data-none) = _, %v, %v; want false", ok, err)
	}
	items, err := s.FindAll("li")
	if err != nil || len(items) != 3 {
		t.Fatalf("FindAll(li) = %d elements, %v; want 3", len(items), err)
	}
	if none, err := s.FindAll(".nothing"); err != nil || len(none) != 0 {
		t.Errorf("FindAll(.nothing) = %d, %v; want 0, nil", len(none), err)
	}
	var e *Error
	if _, err := s.Find(".nothing"); !errors.As(err, &e) || e.Code != "no such element" {
		t.Errorf("Find(.nothing) error = %v, want a WebDriver \"no such element\"", err)
	}
	c, err := s.Find("#c")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Click(); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Text(); got != "clicked" {
		t.Errorf("after Click, the button says %q, want \"clicked\"", got)
	}
	var n int
	if err := s.Execute(&n, "return arguments[0] + document.querySelectorAll(arguments[1]).length", 10, "li"); err != nil || n != 13 {
		t.Errorf("Execute = %d, %v; want 13", n, err)
	}
	var tag string
	if err := s.Execute(&tag, "return arguments[0].tagName", items[1].ID()); err != nil || tag != "LI" {
		t.Errorf("Execute with an element argument = %q, %v; want LI", tag, err)
	}
	shot, err := s.Screenshot()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 300 {
		t.Errorf("screenshot is %v, want about 800 × 600", b)
	}
	// The orange box is in it.
	r, g, bl, _ := img.At(100, 120).RGBA()
	if r>>8 < 0xc0 || g>>8 > 0x80 || bl>>8 > 0x30 {
		t.Errorf("pixel (100, 120) = %02x%02x%02x, want the box's d55e00", r>>8, g>>8, bl>>8)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // twice is fine
		t.Fatal(err)
	}
	if _, err := os.Stat(s.profile); !os.IsNotExist(err) {
		t.Errorf("profile directory %s still there after Close (%v)", s.profile, err)
	}
}
