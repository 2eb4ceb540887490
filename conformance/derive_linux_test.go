package conformance_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/conformance"
)

// TestDerivedScenarios runs the model-derived scenarios against the kernel,
// each in its own namespace: the kernel, playing the model's A, must emit
// what the model's shortest witness says A emits, and end in its state.
func TestDerivedScenarios(t *testing.T) {
	skipUnlessAvailable(t)
	t.Parallel() // with the other scenario tests: the slow tier's two 60 s expiries overlap
	for _, q := range conformance.DerivedQueries() {
		t.Run(q.Name, func(t *testing.T) {
			if q.Slow && testing.Short() {
				t.Skip("slow tier: waits out the kernel's 60 s TIME_WAIT")
			}
			t.Parallel()
			s, rep, out := deriveAndRun(t, q)
			require.Equal(t, conformance.Conforms, rep.Verdict.Outcome, out)
			require.Len(t, rep.Steps, len(s.Steps), out)
		})
	}
}

// TestDerivedDivergences runs derived scripts where the kernel must not
// conform: the same query compiled under a variant whose rule Linux
// deliberately does not follow (the RFC's), or run with the opposite
// tcp_rfc1337. Each must diverge at the step where the rules part, with
// the kernel doing what the linux variant says. Without these, a green
// TestDerivedScenarios could come from scripts too weak to tell the rules
// apart.
func TestDerivedDivergences(t *testing.T) {
	skipUnlessAvailable(t)
	t.Parallel() // with the other scenario tests: the slow tier's two 60 s expiries overlap
	byName := map[string]conformance.Query{}
	for _, q := range conformance.DerivedQueries() {
		byName[q.Name] = q
	}
	cases := []struct {
		name, query, variant, rfc1337 string
		step                          int    // where it must diverge
		expected, got                 string // substrings of the verdict
	}{
		{"RFC 1337 (the default model) ignores the RST that tcp_rfc1337=0 obeys",
			"derived-rst-in-time-wait-rfc1337-0", "rfc1337", "", 17, "TIME_WAIT", "GONE"},
		{"linux's script with tcp_rfc1337=1: the RST is ignored",
			"derived-rst-in-time-wait-rfc1337-0", "", "1", 17, "GONE", "TIME_WAIT"},
		{"linux-rfc1337's script with tcp_rfc1337=0: the RST kills TIME_WAIT",
			"derived-rst-in-time-wait-rfc1337-1", "", "0", 17, "TIME_WAIT", "GONE"},
		{"RFC 9293 (the default model) answers a higher SYN in TIME-WAIT with an ACK; Linux reopens",
			"derived-syn-higher-in-time-wait", "rfc1337", "", 16, "ACK seq=k+3 ack=p+2", "SYN|ACK seq=k+65540"},
		{"RFC 1122 looks at the sequence number only; Linux reopens on the newer TSval",
			"derived-syn-lower-newer-ts-in-time-wait", "rfc1122-syn-in-timewait", "", 16, "ACK seq=k+3 ack=p+2", "SYN|ACK seq=k+65540"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			q, ok := byName[c.query]
			require.True(t, ok, c.query)
			if c.variant != "" {
				q.Variant = c.variant
				if c.query == "derived-syn-lower-newer-ts-in-time-wait" {
					q.Config.Timestamps = true // RFC 1122's rule with the same timestamps as linux
				}
			}
			if c.rfc1337 != "" {
				q.Sysctls = map[string]string{"net/ipv4/tcp_rfc1337": c.rfc1337}
			}
			_, rep, out := deriveAndRun(t, q)
			require.Equal(t, conformance.Diverges, rep.Verdict.Outcome, out)
			require.Equal(t, c.step, rep.Verdict.Step, out)
			require.Contains(t, rep.Verdict.Expected, c.expected, out)
			require.Contains(t, rep.Verdict.Got, c.got, out)
		})
	}
}

// deriveAndRun compiles the query and runs it against the kernel, logging
// the report.
func deriveAndRun(t *testing.T, q conformance.Query) (conformance.Script, conformance.Report, string) {
	t.Helper()
	s, _, err := conformance.Derive(context.Background(), q)
	require.NoError(t, err)
	rep := run(t, s)
	out := text(t, rep)
	t.Log("\n" + out)
	return s, rep, out
}

// TestDerivedTimerCheckCanFail runs derived-retransmitted-fin with its
// check of the restarted TIME-WAIT timer turned round (the timer still
// running down): it must diverge there, with the kernel's timer back at
// 60 s. The restart check is otherwise only ever seen passing.
func TestDerivedTimerCheckCanFail(t *testing.T) {
	skipUnlessAvailable(t)
	t.Parallel()
	var q conformance.Query
	for _, x := range conformance.DerivedQueries() {
		if x.Name == "derived-retransmitted-fin" {
			q = x
		}
	}
	s, _, err := conformance.Derive(context.Background(), q)
	require.NoError(t, err)
	step := 0
	for i, st := range s.Steps {
		if st.State == "TIME_WAIT timer>=59s" {
			s.Steps[i].State, step = "TIME_WAIT timer<=59s", i+1
		}
	}
	require.NotZero(t, step, "the script checks the restarted timer")
	rep := run(t, s)
	out := text(t, rep)
	t.Log("\n" + out)
	require.Equal(t, conformance.Diverges, rep.Verdict.Outcome, out)
	require.Equal(t, step, rep.Verdict.Step, out)
	require.Contains(t, rep.Verdict.Got, "TIME_WAIT timer=", out)
}
