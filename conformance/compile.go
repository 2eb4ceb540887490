package conformance

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Limits on a script, so that bad input fails fast instead of running for
// hours.
const (
	maxSteps     = 10000
	maxStepTime  = 10 * time.Minute
	maxScript    = 30 * time.Minute
	maxNameLen   = 64
	maxTextLen   = 4096
	maxSysctls   = 64
	defaultWait  = time.Second     // Expect's default Within
	acceptWait   = 2 * time.Second // how long "app accept" waits for a connection
	minBudgetPad = 15 * time.Second
)

// stepKind says which field of a Step is set.
type stepKind uint8

const (
	kindSend stepKind = iota + 1
	kindResend
	kindExpect
	kindSilence
	kindApp
	kindState
	kindSleep
)

// cstep is a validated step with its texts parsed.
type cstep struct {
	kind   stepKind
	send   segSpec
	resend int         // index into the steps
	alts   [][]segSpec // kindExpect
	dur    time.Duration
	app    appOp
	state  stateSpec
}

// Validate checks the script: its name, ports, variables and sysctls,
// every step's syntax, that each Resend names an earlier Send, that every
// variable a Send uses is bound by then (by Vars, or by an expectation all
// of whose alternatives bind it), and the limits on size and duration. The
// error names the step.
func (s Script) Validate() error {
	_, err := s.compile()
	return err
}

// compile validates the script and parses its steps.
func (s Script) compile() ([]cstep, error) {
	if err := checkName(s.Name); err != nil {
		return nil, err
	}
	if s.KernelPort == 0 || s.PeerPort == 0 {
		return nil, fmt.Errorf("script %s: kernel_port and peer_port must be set (1 to 65535)", s.Name)
	}
	if len(s.Doc) > maxTextLen {
		return nil, fmt.Errorf("script %s: doc longer than %d characters", s.Name, maxTextLen)
	}
	bound := map[string]bool{}
	for v := range s.Vars {
		if err := checkVarName(v); err != nil {
			return nil, fmt.Errorf("script %s: vars: %v", s.Name, err)
		}
		bound[v] = true
	}
	if err := checkSysctls(s.Sysctls); err != nil {
		return nil, fmt.Errorf("script %s: %v", s.Name, err)
	}
	if len(s.Steps) == 0 || len(s.Steps) > maxSteps {
		return nil, fmt.Errorf("script %s: needs 1 to %d steps, has %d", s.Name, maxSteps, len(s.Steps))
	}
	out := make([]cstep, len(s.Steps))
	for i, st := range s.Steps {
		c, err := compileStep(st, i, out, bound)
		if err != nil {
			return nil, fmt.Errorf("script %s step %d (%s): %v", s.Name, i+1, st, err)
		}
		out[i] = c
	}
	if b := s.Budget(); b > maxScript {
		return nil, fmt.Errorf("script %s: its steps may take %s, more than %s", s.Name, b, maxScript)
	}
	return out, nil
}

func checkName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return fmt.Errorf("script name %q: want 1 to %d characters", name, maxNameLen)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("script name %q: use lower-case letters, digits and -", name)
		}
	}
	return nil
}

// checkSysctls accepts keys under net/ made of [a-z0-9_.-] components (no
// "." or ".." component) and one-line values.
func checkSysctls(m map[string]string) error {
	if len(m) > maxSysctls {
		return fmt.Errorf("more than %d sysctls", maxSysctls)
	}
	for k, v := range m {
		parts := strings.Split(k, "/")
		if len(k) > 128 || len(parts) < 2 || parts[0] != "net" {
			return fmt.Errorf("sysctl %q: want a path under net/, such as net/ipv4/tcp_rfc1337", k)
		}
		for _, p := range parts {
			if p == "" || p == "." || p == ".." || strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != "" {
				return fmt.Errorf("sysctl %q: bad path component %q", k, p)
			}
		}
		if v == "" || len(v) > 64 || strings.ContainsAny(v, "\n\r\x00") {
			return fmt.Errorf("sysctl %s: value %q must be one non-empty line of at most 64 characters", k, v)
		}
	}
	return nil
}

// compileStep parses step i; prev holds the steps before it and bound the
// variables bound so far (extended by an expectation).
func compileStep(st Step, i int, prev []cstep, bound map[string]bool) (cstep, error) {
	set := 0
	for _, on := range []bool{st.Send != "", st.Resend != 0, len(st.Expect) > 0, st.Silence != 0, st.App != "", st.State != "", st.Sleep != 0} {
		if on {
			set++
		}
	}
	if set != 1 {
		return cstep{}, fmt.Errorf("exactly one of send, resend, expect, silence, app, state and sleep must be set, not %d", set)
	}
	if st.Within != 0 && len(st.Expect) == 0 && st.State == "" {
		return cstep{}, fmt.Errorf("within is only for expect and state steps")
	}
	if len(st.Ref) > maxTextLen {
		return cstep{}, fmt.Errorf("ref longer than %d characters", maxTextLen)
	}
	for _, d := range []Duration{st.Silence, st.Sleep, st.Within} {
		if time.Duration(d) > maxStepTime || d < 0 {
			return cstep{}, fmt.Errorf("duration %s is not between 0 and %s", d, maxStepTime)
		}
	}
	switch {
	case st.Send != "":
		sp, err := parseSegSpec(st.Send, true)
		if err != nil {
			return cstep{}, err
		}
		for _, v := range sp.vars() {
			if !bound[v] {
				return cstep{}, fmt.Errorf("variable %s is not bound yet: bind it in vars or by an earlier expectation", v)
			}
		}
		return cstep{kind: kindSend, send: sp}, nil
	case st.Resend != 0:
		j := st.Resend - 1
		if j < 0 || j >= i || prev[j].kind != kindSend {
			return cstep{}, fmt.Errorf("resend %d: not an earlier send step", st.Resend)
		}
		return cstep{kind: kindResend, resend: j}, nil
	case len(st.Expect) > 0:
		return compileExpect(st, bound)
	case st.Silence != 0:
		return cstep{kind: kindSilence, dur: time.Duration(st.Silence)}, nil
	case st.App != "":
		op, err := parseAppOp(st.App)
		return cstep{kind: kindApp, app: op}, err
	case st.State != "":
		ss, err := parseStateSpec(st.State)
		return cstep{kind: kindState, state: ss, dur: time.Duration(st.Within)}, err
	}
	return cstep{kind: kindSleep, dur: time.Duration(st.Sleep)}, nil
}

// compileExpect parses an expectation's alternatives and marks as bound
// the variables that every alternative binds.
func compileExpect(st Step, bound map[string]bool) (cstep, error) {
	c := cstep{kind: kindExpect, dur: st.within(defaultWait)}
	counts := map[string]int{}
	for _, alt := range st.Expect {
		var seq []segSpec
		vars := map[string]bool{}
		for _, text := range strings.Split(alt, ";") {
			sp, err := parseSegSpec(text, false)
			if err != nil {
				return cstep{}, fmt.Errorf("alternative %q: %v", alt, err)
			}
			seq = append(seq, sp)
			for _, v := range sp.vars() {
				vars[v] = true
			}
		}
		for v := range vars {
			counts[v]++
		}
		c.alts = append(c.alts, seq)
	}
	for v, n := range counts {
		if n == len(st.Expect) {
			bound[v] = true
		}
	}
	return c, nil
}

// Budget is the longest the steps can take: the sum of their windows,
// silences, sleeps and accept waits. A runner gives the scenario this much
// time plus setup.
func (s Script) Budget() time.Duration {
	var total time.Duration
	for _, st := range s.Steps {
		switch {
		case len(st.Expect) > 0:
			total += st.within(defaultWait)
		case st.State != "":
			total += time.Duration(st.Within)
		case st.App != "":
			total += acceptWait
		}
		total += time.Duration(st.Silence) + time.Duration(st.Sleep)
	}
	return total
}

// appOp is a parsed application action.
type appOp struct {
	name string // listen, connect, accept, close, abort, close-listener, read, write
	n    int    // write: octets
}

// appOps are the application actions, in the order docs list them.
func appOps() []string {
	return []string{"listen", "connect", "accept", "close", "abort", "close-listener", "read", "write N"}
}

func parseAppOp(s string) (appOp, error) {
	f := strings.Fields(s)
	if len(f) == 2 && f[0] == "write" {
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 1 || n > maxPayload {
			return appOp{}, fmt.Errorf("app %q: write needs 1 to %d octets", s, maxPayload)
		}
		return appOp{name: "write", n: n}, nil
	}
	if len(f) == 1 {
		for _, op := range appOps() {
			if op == f[0] && op != "write N" {
				return appOp{name: op}, nil
			}
		}
	}
	return appOp{}, fmt.Errorf("unknown app action %q (known: %s)", s, strings.Join(appOps(), ", "))
}

// stateSpec is a parsed expected socket state.
type stateSpec struct {
	text           string
	state          TCPState
	listener       bool
	timerMin       time.Duration
	timerMax       time.Duration
	hasMin, hasMax bool
}

func parseStateSpec(s string) (stateSpec, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return stateSpec{}, fmt.Errorf("empty state")
	}
	st, err := ParseTCPState(f[0])
	if err != nil {
		return stateSpec{}, err
	}
	ss := stateSpec{text: strings.Join(f, " "), state: st}
	for _, x := range f[1:] {
		switch {
		case x == "socket=listener":
			ss.listener = true
		case strings.HasPrefix(x, "timer>="), strings.HasPrefix(x, "timer<="):
			d, err := time.ParseDuration(x[len("timer>="):])
			if err != nil || d < 0 || d > maxStepTime {
				return stateSpec{}, fmt.Errorf("%s: want a duration such as 59s", x)
			}
			if x[5] == '>' {
				ss.timerMin, ss.hasMin = d, true
			} else {
				ss.timerMax, ss.hasMax = d, true
			}
		default:
			return stateSpec{}, fmt.Errorf("unknown state condition %q (known: timer>=D, timer<=D, socket=listener)", x)
		}
	}
	if st == StateGone && (ss.hasMin || ss.hasMax) {
		return stateSpec{}, fmt.Errorf("GONE has no timer")
	}
	if ss.hasMin && ss.hasMax && ss.timerMin > ss.timerMax {
		return stateSpec{}, fmt.Errorf("timer>=%s is above timer<=%s", ss.timerMin, ss.timerMax)
	}
	return ss, nil
}

// holds reports whether the observed socket (nil: none) satisfies the spec.
func (ss stateSpec) holds(sock *Socket) bool {
	if sock == nil {
		return ss.state == StateGone
	}
	if sock.State != ss.state {
		return false
	}
	if ss.hasMin && sock.Timer < ss.timerMin {
		return false
	}
	return !ss.hasMax || sock.Timer <= ss.timerMax
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
