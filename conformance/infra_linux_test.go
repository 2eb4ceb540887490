//go:build linux

package conformance_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/conformance"
)

// skipUnlessAvailable skips with the reason when scenarios cannot run here,
// or fails when TIMEWAIT_REQUIRE_CONFORMANCE=1 (as .ci/run sets it), so
// that CI cannot pass by skipping.
func skipUnlessAvailable(t *testing.T) {
	t.Helper()
	if err := conformance.Available(); err != nil {
		skipOrFail(t, err)
	}
}

func skipOrFail(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("TIMEWAIT_REQUIRE_CONFORMANCE") == "1" {
		t.Fatalf("conformance scenarios must run here (TIMEWAIT_REQUIRE_CONFORMANCE=1): %v", err)
	}
	t.Skip(err)
}

// run runs a script and fails the test on an error (skipping when the
// runner is unavailable after all).
func run(t *testing.T, s conformance.Script) conformance.Report {
	t.Helper()
	rep, err := conformance.Run(context.Background(), s)
	var ue *conformance.UnavailableError
	if errors.As(err, &ue) {
		skipOrFail(t, ue)
	}
	require.NoError(t, err)
	return rep
}

func text(t *testing.T, r conformance.Report) string {
	var b strings.Builder
	require.NoError(t, r.WriteText(&b))
	return b.String()
}

// TestInfrastructureScenarios runs every infrastructure scenario in its own
// namespace, in parallel, and requires each to conform to the facts of
// linux-kernel.md it encodes. Under -short the slow one (TIME_WAIT expiry)
// is skipped. With TIMEWAIT_CONFORMANCE_TABLE=FILE it writes the results
// table of docs/conformance.md to FILE, and with
// TIMEWAIT_CONFORMANCE_REPORTS=FILE every report as text.
func TestInfrastructureScenarios(t *testing.T) {
	skipUnlessAvailable(t)
	t.Parallel() // with the other scenario tests: the slow tier's two 60 s expiries overlap
	var mu sync.Mutex
	reports := map[string]conformance.Report{}
	scripts := conformance.InfrastructureScenarios()
	t.Run("scenarios", func(t *testing.T) {
		for _, s := range scripts {
			t.Run(s.Name, func(t *testing.T) {
				if testing.Short() && s.Budget() > slowBudget {
					t.Skipf("slow tier: may take %s", s.Budget())
				}
				t.Parallel()
				rep := run(t, s)
				out := text(t, rep)
				t.Log("\n" + out)
				require.Equal(t, conformance.Conforms, rep.Verdict.Outcome, out)
				require.Len(t, rep.Steps, len(s.Steps), out)
				checkInfra(t, s.Name, rep, out)
				mu.Lock()
				reports[s.Name] = rep
				mu.Unlock()
			})
		}
	})
	var ordered []conformance.Report
	for _, s := range scripts {
		if r, ok := reports[s.Name]; ok {
			ordered = append(ordered, r)
		}
	}
	if path := os.Getenv("TIMEWAIT_CONFORMANCE_TABLE"); path != "" {
		var b strings.Builder
		require.NoError(t, conformance.WriteTable(&b, ordered))
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	if path := os.Getenv("TIMEWAIT_CONFORMANCE_REPORTS"); path != "" {
		var b strings.Builder
		for _, r := range ordered {
			require.NoError(t, r.WriteText(&b))
			b.WriteString("\n")
		}
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
}

// checkInfra asserts what a scenario's steps cannot say by themselves.
func checkInfra(t *testing.T, name string, rep conformance.Report, out string) {
	t.Helper()
	require.NotEmpty(t, rep.Kernel, out)
	require.Equal(t, "0", rep.Sysctls["net/ipv4/tcp_invalid_ratelimit"], out)
	switch name {
	case "infra-passive-close-delayed":
		// The kernel ACKs a FIN at once, so after a 100 ms pause the ACK
		// has gone before the application's close: the second shape.
		require.Equal(t, "ACK seq=k+1 ack=p+2; FIN|ACK seq=k+1 ack=p+2", matched(rep, "close"), out)
	case "infra-orphaned-fin-wait2":
		require.Equal(t, "1", rep.Sysctls["net/ipv4/tcp_fin_timeout"], out)
	case "infra-rst-time-wait-rfc1337-1":
		require.Equal(t, "1", rep.Sysctls["net/ipv4/tcp_rfc1337"], out)
	}
}

// matched returns the alternative matched by the first expectation after
// the step that starts with "app "+after.
func matched(rep conformance.Report, after string) string {
	seen := false
	for _, s := range rep.Steps {
		if s.Step == "app "+after {
			seen = true
		} else if seen && strings.HasPrefix(s.Step, "expect ") {
			return s.Matched
		}
	}
	return ""
}
