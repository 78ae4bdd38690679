// Package browsertest drives a real headless Chromium from tests, through
// chromedriver and the W3C WebDriver protocol (a tiny client on the
// standard library): never a mock.
//
// The contract:
//
//   - Require(t) returns the Chromium and chromedriver binaries: from
//     $FW_TEST_CHROMIUM and $FW_TEST_CHROMEDRIVER, else /usr/bin/chromium
//     and /usr/bin/chromedriver, else the ones on PATH. When one is
//     missing the test is skipped with a message saying how to install
//     them (scripts/chromium), unless FW_TEST_BROWSER_REQUIRED=1 (CI sets
//     it), then it fails.
//   - Start starts chromedriver on a free loopback port (it has no
//     --port=0: the port is picked here, and a start that loses the port
//     to another process is retried), and opens a session with a headless
//     Chromium in a fresh profile directory, flags that keep it off the
//     network (no background networking, component updates, sync or QUIC)
//     and a fixed window size. New(t) does Require and Start and closes the
//     session when the test ends.
//   - A Session navigates (Navigate, FileURL for a local file), finds
//     elements by CSS selector, reads their text and attributes, clicks
//     them, runs JavaScript (Execute) and takes screenshots (PNG bytes of
//     the viewport). Every call has a timeout (RequestTimeout); a WebDriver
//     error is returned as *Error with the protocol's error code.
//   - Close deletes the session (Chromium quits), stops chromedriver and
//     removes the profile directory. It is safe to call twice.
//
// Only the processes this package starts are stopped: chromedriver runs in
// a process group of its own, and Close kills that group if the browser
// outlives its session.
package browsertest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment variables read by this package.
const (
	EnvChromium     = "FW_TEST_CHROMIUM"
	EnvChromedriver = "FW_TEST_CHROMEDRIVER"
	EnvRequired     = "FW_TEST_BROWSER_REQUIRED"
)

// RequestTimeout bounds every WebDriver request.
const RequestTimeout = 60 * time.Second

// Paths are the binaries a session runs.
type Paths struct {
	Chromium, Chromedriver string
}

// Find looks for the binaries (see the package doc); an error says which
// one is missing and how to install it.
func Find() (Paths, error) {
	var p Paths
	var missing []string
	for _, b := range []struct {
		env, path, name string
		dst             *string
	}{
		{EnvChromium, "/usr/bin/chromium", "chromium", &p.Chromium},
		{EnvChromedriver, "/usr/bin/chromedriver", "chromedriver", &p.Chromedriver},
	} {
		if v := os.Getenv(b.env); v != "" {
			if !executable(v) {
				missing = append(missing, fmt.Sprintf("%s=%s is not an executable file", b.env, v))
				continue
			}
			*b.dst = v
			continue
		}
		if executable(b.path) {
			*b.dst = b.path
			continue
		}
		if path, err := exec.LookPath(b.name); err == nil {
			*b.dst = path
			continue
		}
		missing = append(missing, fmt.Sprintf("no %s (not at %s, not on PATH, %s not set)", b.name, b.path, b.env))
	}
	if len(missing) > 0 {
		return p, fmt.Errorf("%s; install them with scripts/chromium (Debian's chromium and chromium-driver, as root)", strings.Join(missing, "; "))
	}
	return p, nil
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// Require returns the browser's binaries, or skips the test (fails it when
// FW_TEST_BROWSER_REQUIRED=1) when they are missing.
func Require(t testing.TB) Paths {
	t.Helper()
	p, err := Find()
	if err != nil {
		if os.Getenv(EnvRequired) == "1" {
			t.Fatalf("browsertest: %v; and %s=1: the browser tests must run", err, EnvRequired)
		} else {
			t.Skipf("browsertest: %v: browser test skipped", err)
		}
	}
	return p
}

// Options configure a session.
type Options struct {
	Paths
	// Width and Height are the window size in CSS pixels (default
	// 1280 × 1024).
	Width, Height int
	// Log receives chromedriver's output (default: kept in memory and
	// quoted in start errors).
	Log io.Writer
}

// New starts a session for t (Require, then Start) with a window of
// width × height (0: the default), closed when t ends.
func New(t testing.TB, width, height int) *Session {
	t.Helper()
	p := Require(t)
	s, err := Start(Options{Paths: p, Width: width, Height: height})
	if err != nil { // installed but broken: a failure, never a skip
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("browsertest: %v", err)
		}
	})
	return s
}

// Session is a WebDriver session with a headless Chromium.
type Session struct {
	base    string // http://127.0.0.1:PORT
	id      string
	driver  *exec.Cmd
	waited  chan struct{}
	profile string
	client  *http.Client
	log     *lockedBuffer
	once    sync.Once
	err     error
}

// lockedBuffer collects chromedriver's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() < 1<<20 {
		l.b.Write(p)
	}
	return len(p), nil
}

func (l *lockedBuffer) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return strings.TrimSpace(s)
}

// Start starts chromedriver and opens a session.
func Start(o Options) (*Session, error) {
	if o.Width <= 0 {
		o.Width = 1280
	}
	if o.Height <= 0 {
		o.Height = 1024
	}
	profile, err := os.MkdirTemp("", "fw-chromium-")
	if err != nil {
		return nil, fmt.Errorf("browsertest: a profile directory: %w", err)
	}
	var s *Session
	for attempt := 1; ; attempt++ {
		s, err = startDriver(o, profile)
		if err == nil || attempt == 3 {
			break
		}
	}
	if err != nil {
		os.RemoveAll(profile)
		return nil, err
	}
	if err := s.newSession(o); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startDriver(o Options, profile string) (*Session, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("browsertest: a free port for chromedriver: %w", err)
	}
	logs := &lockedBuffer{}
	cmd := exec.Command(o.Chromedriver, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1")
	var out io.Writer = logs
	if o.Log != nil {
		out = io.MultiWriter(logs, o.Log)
	}
	cmd.Stdout, cmd.Stderr = out, out
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("browsertest: starting %s: %w", o.Chromedriver, err)
	}
	s := &Session{
		base: "http://127.0.0.1:" + strconv.Itoa(port), driver: cmd, waited: make(chan struct{}),
		profile: profile, client: &http.Client{Timeout: RequestTimeout}, log: logs,
	}
	go func() { cmd.Wait(); close(s.waited) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var st struct {
			Ready bool `json:"ready"`
		}
		if err := s.do(http.MethodGet, "/status", nil, &st); err == nil && st.Ready {
			return s, nil
		}
		select {
		case <-s.waited:
			return nil, fmt.Errorf("browsertest: chromedriver exited at start (%v): %s", cmd.ProcessState, logs.tail())
		default:
		}
		if time.Now().After(deadline) {
			s.stopDriver()
			return nil, fmt.Errorf("browsertest: chromedriver not ready on port %d after 20s: %s", port, logs.tail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// chromeArgs are Chromium's flags: headless, and nothing that reaches the
// network on its own.
func chromeArgs(profile string, w, h int) []string {
	return []string{
		"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
		"--force-device-scale-factor=1", fmt.Sprintf("--window-size=%d,%d", w, h),
		"--user-data-dir=" + profile,
	}
}

func (s *Session) newSession(o Options) error {
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": o.Chromium,
			"args":   chromeArgs(s.profile, o.Width, o.Height),
		},
	}}}
	var v struct {
		SessionID string `json:"sessionId"`
	}
	if err := s.do(http.MethodPost, "/session", caps, &v); err != nil {
		return fmt.Errorf("browsertest: opening a session with %s: %w (chromedriver: %s)", o.Chromium, err, s.log.tail())
	}
	if v.SessionID == "" {
		return errors.New("browsertest: chromedriver returned no session id")
	}
	s.id = v.SessionID
	return s.SetWindowSize(o.Width, o.Height)
}

// Error is an error the WebDriver returned.
type Error struct {
	Status  int    // the HTTP status
	Code    string // the WebDriver error code, e.g. "no such element"
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("webdriver: %s (HTTP %d): %s", e.Code, e.Status, firstLine(e.Message))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// do sends a WebDriver request and decodes the response's "value" into
// out (when not nil).
func (s *Session) do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading the response: %w", method, path, err)
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return fmt.Errorf("%s %s: HTTP %d, not a WebDriver response: %.200q", method, path, resp.StatusCode, data)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		json.Unmarshal(env.Value, &e)
		return &Error{Status: resp.StatusCode, Code: e.Error, Message: e.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Value, out); err != nil {
		return fmt.Errorf("%s %s: decoding %.200s: %w", method, path, env.Value, err)
	}
	return nil
}

func (s *Session) sessionPath(p string) string { return "/session/" + s.id + p }

// FileURL is the file:// URL of a local file.
func FileURL(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), nil
}

// Navigate loads url and waits until the page has loaded.
func (s *Session) Navigate(u string) error {
	return s.do(http.MethodPost, s.sessionPath("/url"), map[string]string{"url": u}, nil)
}

// SetWindowSize sets the window's outer size in CSS pixels.
func (s *Session) SetWindowSize(w, h int) error {
	return s.do(http.MethodPost, s.sessionPath("/window/rect"), map[string]int{"width": w, "height": h}, nil)
}

// SetScriptTimeout sets how long Execute waits for a script (the
// WebDriver's default is 30 s).
func (s *Session) SetScriptTimeout(d time.Duration) error {
	return s.do(http.MethodPost, s.sessionPath("/timeouts"), map[string]int64{"script": d.Milliseconds()}, nil)
}

// elementKey is the W3C web element identifier's key.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// Element is an element of the current page.
type Element struct {
	s  *Session
	id string
}

// ID is the WebDriver's reference of the element, to pass it to Execute
// (as an argument, it arrives in the script as the element).
func (e Element) ID() map[string]string { return map[string]string{elementKey: e.id} }

// Find returns the first element matching the CSS selector.
func (s *Session) Find(css string) (Element, error) {
	var v map[string]string
	if err := s.do(http.MethodPost, s.sessionPath("/element"), map[string]string{"using": "css selector", "value": css}, &v); err != nil {
		return Element{}, fmt.Errorf("finding %q: %w", css, err)
	}
	return Element{s, v[elementKey]}, nil
}

// FindAll returns every element matching the CSS selector, in document
// order (none: an empty slice, no error).
func (s *Session) FindAll(css string) ([]Element, error) {
	var v []map[string]string
	if err := s.do(http.MethodPost, s.sessionPath("/elements"), map[string]string{"using": "css selector", "value": css}, &v); err != nil {
		return nil, fmt.Errorf("finding %q: %w", css, err)
	}
	els := make([]Element, len(v))
	for i, m := range v {
		els[i] = Element{s, m[elementKey]}
	}
	return els, nil
}

// Text returns the element's rendered text.
func (e Element) Text() (string, error) {
	var v string
	err := e.s.do(http.MethodGet, e.s.sessionPath("/element/"+e.id+"/text"), nil, &v)
	return v, err
}

// Attribute returns the element's attribute (or property) name; "" and
// false when it has none.
func (e Element) Attribute(name string) (string, bool, error) {
	var v *string
	if err := e.s.do(http.MethodGet, e.s.sessionPath("/element/"+e.id+"/attribute/"+url.PathEscape(name)), nil, &v); err != nil {
		return "", false, err
	}
	if v == nil {
		return "", false, nil
	}
	return *v, true, nil
}

// Click scrolls the element into view and clicks its centre.
func (e Element) Click() error {
	return e.s.do(http.MethodPost, e.s.sessionPath("/element/"+e.id+"/click"), map[string]any{}, nil)
}

// Execute runs script as the body of a function (arguments in
// `arguments`) and decodes what it returns into out (when not nil).
func (s *Session) Execute(out any, script string, args ...any) error {
	if args == nil {
		args = []any{}
	}
	return s.do(http.MethodPost, s.sessionPath("/execute/sync"), map[string]any{"script": script, "args": args}, out)
}

// Screenshot returns a PNG image of the viewport.
func (s *Session) Screenshot() ([]byte, error) {
	var v string
	if err := s.do(http.MethodGet, s.sessionPath("/screenshot"), nil, &v); err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	return b, nil
}

// Close deletes the session, stops chromedriver and removes the profile.
func (s *Session) Close() error {
	s.once.Do(func() {
		var errs []error
		if s.id != "" {
			if err := s.do(http.MethodDelete, s.sessionPath(""), nil, nil); err != nil {
				errs = append(errs, fmt.Errorf("deleting the session: %w", err))
			}
		}
		s.stopDriver()
		if err := os.RemoveAll(s.profile); err != nil {
			errs = append(errs, err)
		}
		if err := errors.Join(errs...); err != nil {
			s.err = fmt.Errorf("browsertest: closing: %w", err)
		}
	})
	return s.err
}

// stopDriver ends chromedriver and anything left of its process group
// (a browser whose session could not be deleted).
func (s *Session) stopDriver() {
	if s.driver == nil || s.driver.Process == nil {
		return
	}
	killGroup(s.driver)
	select {
	case <-s.waited:
	case <-time.After(10 * time.Second):
	}
}
