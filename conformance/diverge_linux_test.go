//go:build linux

package conformance_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/conformance"
)

// TestRealKernelDivergences runs deliberately wrong scripts against the
// kernel: the executor must report each divergence at the right step,
// with what was expected and what the kernel did. (A harness that cannot
// fail proves nothing.)
func TestRealKernelDivergences(t *testing.T) {
	skipUnlessAvailable(t)
	handshake := []conformance.Step{
		conformance.App("listen"),
		conformance.Send("SYN seq=p"),
		conformance.Expect(2*time.Second, "SYN|ACK seq=k ack=p+1"),
		conformance.Send("ACK seq=p+1 ack=k+1"),
		conformance.App("accept"),
	}
	cases := []struct {
		name     string
		steps    []conformance.Step
		step     int
		expected string
		got      string // prefix of Verdict.Got
		gotHas   string
	}{
		{"RST without ACK expected from a closed port", []conformance.Step{
			conformance.Send("SYN seq=9000"), conformance.Expect(2*time.Second, "RST seq=0 ack=9001")},
			2, "RST seq=0 ack=9001 within 2s", "RST|ACK seq=0 ack=9001", "(flags RST|ACK, want RST)"},
		{"silence expected from a closed port", []conformance.Step{
			conformance.Send("FIN seq=5000"), conformance.Silence(300 * time.Millisecond)},
			2, "silence for 300ms", "RST|ACK seq=0 ack=5001", ""},
		{"a reply to an RST expected", []conformance.Step{
			conformance.Send("RST seq=100"), conformance.Expect(300*time.Millisecond, "RST")},
			2, "RST within 300ms", "nothing more", ""},
		{"TIME_WAIT expected while ESTABLISHED", append(append([]conformance.Step(nil), handshake...),
			conformance.State("TIME_WAIT", 0)),
			6, "TIME_WAIT", "10.0.0.1:8080>10.0.0.2:40000 ESTABLISHED", ""},
		{"the kernel's reply left unaccounted for", []conformance.Step{
			conformance.Send("SYN seq=9000"), conformance.Sleep(300 * time.Millisecond)},
			3, "no segment that no step accounts for", "RST|ACK seq=0 ack=9001", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := conformance.Script{Name: "infra-divergence", KernelPort: 8080, PeerPort: 40000,
				Vars: conformance.Bindings{"p": 1000000}, Steps: c.steps}
			rep := run(t, s)
			out := text(t, rep)
			t.Log("\n" + out)
			v := rep.Verdict
			require.Equal(t, conformance.Diverges, v.Outcome, out)
			require.Equal(t, c.step, v.Step, out)
			require.Equal(t, c.expected, v.Expected, out)
			require.True(t, strings.HasPrefix(v.Got, c.got), "got %q\n%s", v.Got, out)
			require.Contains(t, v.Got, c.gotHas, out)
			require.Contains(t, out, "verdict: diverges at step", out)
		})
	}
}

func TestRunRejectsInvalidScript(t *testing.T) {
	_, err := conformance.Run(context.Background(), conformance.Script{Name: "Bad"})
	require.ErrorContains(t, err, `script name "Bad"`)
}

type fakeM int

func (m fakeM) Run() int { return int(m) }

// TestMainRunsTestsOutsideAChild: without EnvScenario, Main is m.Run.
func TestMainRunsTestsOutsideAChild(t *testing.T) {
	if _, ok := os.LookupEnv(conformance.EnvScenario); ok {
		t.Skip("running as a child")
	}
	require.Equal(t, 42, conformance.Main(fakeM(42)))
}
