package conformance

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// KernelAddr is the address of the kernel's side of the TUN device inside
// a scenario's namespace (10.0.0.1/24).
func KernelAddr() netip.Addr { return netip.AddrFrom4([4]byte{10, 0, 0, 1}) }

// PeerAddr is the scripted peer's address: the kernel routes it through the
// TUN device, so every segment the kernel sends to it is read by the script
// (10.0.0.2).
func PeerAddr() netip.Addr { return netip.AddrFrom4([4]byte{10, 0, 0, 2}) }

// DefaultSysctls are pinned in every scenario's namespace before its own
// (which may override them): no IPv6 (no router solicitations on the TUN
// device) and no rate limit on out-of-window ACKs, so that every duplicate
// gets its reply (linux-kernel.md, "Rate limit").
func DefaultSysctls() map[string]string {
	return map[string]string{
		"net/ipv6/conf/all/disable_ipv6":     "1",
		"net/ipv6/conf/default/disable_ipv6": "1",
		"net/ipv4/tcp_invalid_ratelimit":     "0",
	}
}

// Script is one conformance scenario as plain data (and JSON): the kernel's
// endpoint, the namespace's sysctls, and the steps the scripted peer and
// the kernel's application take. A compiler from model traces targets this
// type; docs/conformance.md specifies it.
//
// The kernel is KernelAddr():KernelPort and the peer PeerAddr():PeerPort,
// whichever side opens: "app listen" makes the kernel listen on KernelPort,
// "app connect" makes it connect from KernelPort to the peer's port.
type Script struct {
	Name       string `json:"name"` // lower-case letters, digits and '-', at most 64
	Doc        string `json:"doc,omitempty"`
	KernelPort uint16 `json:"kernel_port"`
	PeerPort   uint16 `json:"peer_port"`
	// Vars binds the peer's variables (its ISN, conventionally p) before
	// the first step; every other variable is bound by the first kernel
	// segment that matches an expectation using it.
	Vars Bindings `json:"vars,omitempty"`
	// Sysctls are written under /proc/sys inside the namespace, after
	// DefaultSysctls: "net/ipv4/tcp_rfc1337": "1". Keys must start with net/.
	Sysctls map[string]string `json:"sysctls,omitempty"`
	// FoldRetransmissions makes a kernel segment identical (control bits,
	// numbers, length, ports) to one the kernel already sent count as a
	// retransmission wherever it does not match an expectation: it is
	// recorded and skipped, and does not break a silence. Without it only
	// repeats within one expectation's alternative are folded.
	FoldRetransmissions bool   `json:"fold_retransmissions,omitempty"`
	Steps               []Step `json:"steps"`
}

// Step is one step of a [Script]: exactly one of Send, Resend, Expect,
// Silence, App, State and Sleep is set. Within bounds Expect and State.
type Step struct {
	// Send is a segment spec the peer sends (see the grammar in spec.go
	// and docs/conformance.md): "FIN|ACK seq=p+1 ack=k+2".
	Send string `json:"send,omitempty"`
	// Resend is the number (from 1) of an earlier Send step whose datagram
	// is sent again byte for byte: a network duplicate or a stale copy.
	Resend int `json:"resend,omitempty"`
	// Expect is the set of allowed kernel replies: each alternative is a
	// sequence of segment specs separated by ";". The step passes as soon
	// as the kernel's segments complete one alternative, and diverges at
	// the first segment that continues none, or when Within (default 1s)
	// runs out first. Repeats of a segment already matched in the same
	// alternative are folded (retransmissions).
	Expect []string `json:"expect,omitempty"`
	// Silence is how long the kernel must send nothing.
	Silence Duration `json:"silence,omitempty"`
	// App is an action of the kernel's application: listen, connect,
	// accept, close, abort (SO_LINGER 0, then close), close-listener,
	// read, or "write N".
	App string `json:"app,omitempty"`
	// State is the expected state of the kernel's socket in
	// /proc/self/net/tcp: "TIME_WAIT", "GONE" (no entry), optionally with
	// "timer>=D" and "timer<=D" bounds on its timer and "socket=listener"
	// for the listening socket. It is polled until it holds or Within
	// (default 0: one look) runs out.
	State string `json:"state,omitempty"`
	// Sleep waits; kernel segments arriving meanwhile are kept for the
	// next Expect or Silence.
	Sleep Duration `json:"sleep,omitempty"`
	// Within bounds an Expect or State step.
	Within Duration `json:"within,omitempty"`
	// Ref says where the step comes from (a model trace step, a fact in
	// linux-kernel.md); it is carried into the report.
	Ref string `json:"ref,omitempty"`
}

// Send returns a step in which the peer sends the segment spec.
func Send(spec string) Step { return Step{Send: spec} }

// Resend returns a step that sends step n's datagram again, byte for byte.
func Resend(n int) Step { return Step{Resend: n} }

// Expect returns a step expecting one of the alternatives within d.
func Expect(d time.Duration, alternatives ...string) Step {
	return Step{Expect: alternatives, Within: Duration(d)}
}

// Silence returns a step expecting no kernel segment for d.
func Silence(d time.Duration) Step { return Step{Silence: Duration(d)} }

// App returns a step running the kernel application's action op.
func App(op string) Step { return Step{App: op} }

// State returns a step expecting the socket state spec within d.
func State(spec string, d time.Duration) Step { return Step{State: spec, Within: Duration(d)} }

// Sleep returns a step that waits d.
func Sleep(d time.Duration) Step { return Step{Sleep: Duration(d)} }

// String describes the step in one line: "send SYN seq=p", "expect SYN|ACK
// seq=k ack=p+1 within 1s", "silence 200ms", "app close", "state
// TIME_WAIT", "sleep 1s", "resend step 5".
func (s Step) String() string {
	switch {
	case s.Send != "":
		return "send " + s.Send
	case s.Resend != 0:
		return fmt.Sprintf("resend step %d", s.Resend)
	case len(s.Expect) > 0:
		alts := make([]string, len(s.Expect))
		for i, a := range s.Expect {
			alts[i] = a
			if len(s.Expect) > 1 {
				alts[i] = "{" + a + "}"
			}
		}
		return fmt.Sprintf("expect %s within %s", strings.Join(alts, " or "), s.within(defaultWait))
	case s.Silence != 0:
		return "silence " + s.Silence.String()
	case s.App != "":
		return "app " + s.App
	case s.State != "":
		if s.Within != 0 {
			return fmt.Sprintf("state %s within %s", s.State, s.Within)
		}
		return "state " + s.State
	case s.Sleep != 0:
		return "sleep " + s.Sleep.String()
	}
	return "(empty step)"
}

func (s Step) within(def time.Duration) time.Duration {
	if s.Within == 0 {
		return def
	}
	return time.Duration(s.Within)
}

// Duration is a time.Duration written in JSON as Go prints it ("200ms").
type Duration time.Duration

// String prints the duration as time.Duration does.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes the duration as time.Duration.String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a duration as time.ParseDuration does; negative
// durations are refused.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("bad duration %q: %v", b, err)
	}
	if v < 0 {
		return fmt.Errorf("bad duration %q: negative", b)
	}
	*d = Duration(v)
	return nil
}
