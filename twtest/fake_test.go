package twtest_test

import (
	"fmt"
	"strings"
	"sync"
)

// fakeT records what a check reports instead of failing the test that runs
// it: a twtest.TB and a rapid.TB. Fatalf, FailNow and SkipNow only record;
// twtest returns right after them, and rapid calls FailNow last.
type fakeT struct {
	name string
	dir  string

	mu      sync.Mutex
	failed  bool
	skipped bool
	errs    []string // Errorf and Fatalf messages
	logs    []string // Logf messages
}

func newFake(name, dir string) *fakeT { return &fakeT{name: name, dir: dir} }

func (f *fakeT) Helper()         {}
func (f *fakeT) Name() string    { return f.name }
func (f *fakeT) TempDir() string { return f.dir }

func (f *fakeT) Logf(format string, args ...any) { f.Log(fmt.Sprintf(format, args...)) }
func (f *fakeT) Log(args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprint(args...))
}

func (f *fakeT) Errorf(format string, args ...any) { f.Error(fmt.Sprintf(format, args...)) }
func (f *fakeT) Error(args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
	f.errs = append(f.errs, fmt.Sprint(args...))
}
func (f *fakeT) Fatalf(format string, args ...any) { f.Errorf(format, args...) }
func (f *fakeT) Fatal(args ...any)                 { f.Error(args...) }

func (f *fakeT) Skipf(format string, args ...any) { f.Skip(fmt.Sprintf(format, args...)) }
func (f *fakeT) Skip(args ...any) {
	f.Log(args...)
	f.SkipNow()
}
func (f *fakeT) SkipNow() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.skipped = true
}

func (f *fakeT) Fail() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
}
func (f *fakeT) FailNow() { f.Fail() }
func (f *fakeT) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

// errors returns every failure message, one after the other.
func (f *fakeT) errors() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.errs, "\n")
}

// output returns the logs and the failure messages, in that order.
func (f *fakeT) output() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(append(append([]string(nil), f.logs...), f.errs...), "\n")
}
