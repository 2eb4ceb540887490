//go:build linux

package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Available reports whether scenarios can run: root (network namespaces,
// the TUN device and per-namespace sysctls need CAP_SYS_ADMIN and
// CAP_NET_ADMIN) and /dev/net/tun. The error is an *UnavailableError.
func Available() error {
	if uid := os.Geteuid(); uid != 0 {
		return &UnavailableError{Reason: fmt.Sprintf("needs root for a network namespace, /dev/net/tun and namespaced sysctls (running as uid %d)", uid)}
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		return &UnavailableError{Reason: fmt.Sprintf("no TUN device: %v", err)}
	}
	return nil
}

// Run runs the script in a fresh network namespace and returns its report.
// It re-executes the current binary (which must call [Main] first thing in
// TestMain, or in main) with CLONE_NEWNET and Pdeathsig SIGKILL, EnvScenario
// naming the script, the script as JSON on its standard input, and reads
// the report as JSON from its standard output. The child is killed when
// ctx ends, after the script's Budget plus setup time, or if this process
// dies; the kernel then deletes its namespace and everything in it.
//
// The error is an *UnavailableError when scenarios cannot run here, or
// says why the script is invalid or the child failed; a kernel that
// diverges is not an error but a report whose Verdict says so.
func Run(ctx context.Context, s Script) (Report, error) {
	if err := s.Validate(); err != nil {
		return Report{}, err
	}
	if err := Available(); err != nil {
		return Report{}, err
	}
	exe, err := os.Executable()
	if err != nil {
		return Report{}, fmt.Errorf("finding this executable to re-execute: %v", err)
	}
	input, err := json.Marshal(s)
	if err != nil {
		return Report{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.Budget()+minBudgetPad)
	defer cancel()
	// -test.run=^$: a test binary whose TestMain does not call Main runs
	// no test instead of recursing into this one.
	cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), EnvScenario+"="+s.Name)
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &limitedWriter{w: &stderr, n: 64 << 10}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	// Pdeathsig fires when the thread that started the child exits: keep
	// this goroutine on its thread until the child is reaped.
	runtime.LockOSThread()
	err = cmd.Run()
	runtime.UnlockOSThread()
	if err != nil && cmd.Process == nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) {
			return Report{}, &UnavailableError{Reason: fmt.Sprintf("cannot create a network namespace: %v", err)}
		}
		return Report{}, fmt.Errorf("starting the scenario's child: %v", err)
	}
	if ctx.Err() != nil {
		return Report{}, fmt.Errorf("scenario %s: child stopped after %s: %v (stderr: %s)", s.Name, s.Budget()+minBudgetPad, ctx.Err(), tail(stderr.String()))
	}
	var res childResult
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if derr := dec.Decode(&res); derr != nil {
		return Report{}, fmt.Errorf("scenario %s: the child wrote no result (%v; exit: %v; stdout starts %q; stderr: %s); does TestMain call conformance.Main?",
			s.Name, derr, err, head(stdout.String()), tail(stderr.String()))
	}
	switch {
	case res.Unavailable != "":
		return Report{}, &UnavailableError{Reason: res.Unavailable}
	case res.Error != "":
		return Report{}, fmt.Errorf("scenario %s: %s", s.Name, res.Error)
	case res.Report == nil:
		return Report{}, fmt.Errorf("scenario %s: the child's result has no report", s.Name)
	case err != nil:
		return Report{}, fmt.Errorf("scenario %s: child exited with %v after writing its report", s.Name, err)
	}
	return *res.Report, nil
}

// Main is the hook for a test binary's TestMain (or a program's main):
//
//	func TestMain(m *testing.M) { os.Exit(conformance.Main(m)) }
//
// In a child started by [Run] (EnvScenario is set) it runs the scenario in
// this process's namespace and writes the result, without running any
// test; otherwise it returns m.Run().
func Main(m Runner) int {
	name, ok := os.LookupEnv(EnvScenario)
	if !ok {
		return m.Run()
	}
	res := runChild(name, os.Stdin)
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fmt.Fprintf(os.Stderr, "conformance child: writing the result: %v\n", err)
		return 1
	}
	return 0
}

// runChild reads the script, sets up the namespace and runs it. It must run
// in a process started with CLONE_NEWNET: it changes the namespace's
// sysctls and interfaces.
func runChild(name string, stdin io.Reader) childResult {
	var s Script
	dec := json.NewDecoder(io.LimitReader(stdin, maxScriptBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return childResult{Error: fmt.Sprintf("reading the script: %v", err)}
	}
	if s.Name != name {
		return childResult{Error: fmt.Sprintf("%s=%q but the script is %q", EnvScenario, name, s.Name)}
	}
	steps, err := s.compile()
	if err != nil {
		return childResult{Error: err.Error()}
	}
	if err := checkPrivateNamespace(); err != nil {
		return childResult{Error: err.Error()}
	}
	tun, applied, err := setupNamespace(s.Sysctls)
	if err != nil {
		if errors.Is(err, os.ErrPermission) || errors.Is(err, unix.EPERM) {
			return childResult{Unavailable: err.Error()}
		}
		return childResult{Error: "setting up the namespace: " + err.Error()}
	}
	w := newTunWire(tun)
	defer w.close()
	ep := endpoints{kernel: netip.AddrPortFrom(KernelAddr(), s.KernelPort), peer: netip.AddrPortFrom(PeerAddr(), s.PeerPort)}
	rep := execute(s, steps, w, newLinuxHost(ep))
	rep.Kernel = kernelRelease()
	rep.Sysctls = applied
	return childResult{Report: &rep}
}

// checkPrivateNamespace refuses to touch a namespace that is not the
// child's own: the one of process 1 (the host's, as far as this process
// can tell) must differ. It guards against a binary run by hand with
// EnvScenario set.
func checkPrivateNamespace() error {
	self, err1 := os.Readlink("/proc/self/ns/net")
	parent, err2 := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", os.Getppid()))
	if err1 != nil || err2 != nil {
		return fmt.Errorf("cannot compare network namespaces: %v, %v", err1, err2)
	}
	if self == parent {
		return fmt.Errorf("refusing to run: this process shares its parent's network namespace (%s); %s is for children of conformance.Run", self, EnvScenario)
	}
	return nil
}

// kernelRelease is uname -r.
func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}

// limitedWriter keeps the first n bytes written and drops the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

// Write keeps what fits and reports everything written.
func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

func head(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	if s == "" {
		return "(empty)"
	}
	return s
}
