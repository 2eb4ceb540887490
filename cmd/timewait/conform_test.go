package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/conformance"
)

func TestConformList(t *testing.T) {
	code, out, errOut := runCLI("conform", "--list")
	require.Equal(t, exitHolds, code, errOut)
	for _, q := range conformance.DerivedQueries() {
		require.Contains(t, out, q.Name)
	}
	require.Contains(t, out, "infra-active-close", "--list shows the infrastructure scenarios too")
}

func TestConformBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"conform", "--parallel", "0"},
		{"conform", "--scenario", "no-such"},
		{"conform", "--variant", "no-such"},
		{"conform", "--variant", "rfc793"}, // a real variant no query uses
		{"conform", "stray"},
	} {
		code, _, errOut := runCLI(args...)
		require.Equal(t, exitBadInput, code, "%v", args)
		require.Equal(t, 1, strings.Count(strings.TrimSpace(errOut), "\n")+1, "one line: %q", errOut)
	}
}

// TestConformRuns runs one model-derived scenario through the built binary
// (the CLI re-executes itself in a fresh network namespace, which a test
// binary cannot stand in for). It needs root, as the conformance tests do.
func TestConformRuns(t *testing.T) {
	if err := conformance.Available(); err != nil {
		t.Skip(err)
	}
	bin := t.TempDir() + "/timewait"
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))
	cmd := exec.Command(bin, "conform", "--scenario", "derived-retransmitted-fin")
	out, err = cmd.Output()
	require.NoError(t, err, string(out))
	require.Contains(t, string(out), "scenario derived-retransmitted-fin")
	require.Contains(t, string(out), "| `derived-retransmitted-fin` | conforms |")
}
