package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTraceOutReplayShow is the "done when" path: at TW = 2·MSL−1
// both properties' counterexamples are written, replayed and shown in every
// format.
func TestTraceOutReplayShow(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "cex.json")
	code, stdout, stderr := runCLI("check", "--msl", "1", "--tw", "1",
		"--property", "no-rst-on-retransmitted-fin", "--property", "no-stale-segment-accepted", "--trace-out", base)
	require.Equal(t, exitViolated, code, stderr)
	require.Contains(t, stdout, "fewest faults")
	for _, id := range []string{"no-rst-on-retransmitted-fin", "no-stale-segment-accepted"} {
		file := filepath.Join(dir, "cex."+id+".json")
		require.Contains(t, stderr, "wrote "+file)
		code, out, errOut := runCLI("trace", "replay", file)
		require.Equal(t, exitHolds, code, errOut)
		require.Contains(t, out, "is still violated at step")

		code, out, errOut = runCLI("trace", "replay", file, "--json")
		require.Equal(t, exitHolds, code, errOut)
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &doc))
		require.Equal(t, "violated", doc["verdict"])
		require.Equal(t, id, doc["property"])

		for _, f := range formatNames() {
			if f == "dot-graph" {
				continue // the default space is too large to draw: tested below
			}
			code, out, errOut := runCLI("trace", "show", file, "--format", f)
			require.Equal(t, exitHolds, code, "%s: %s", f, errOut)
			require.NotEmpty(t, out, f)
		}
		code, out, _ = runCLI("trace", "show", file)
		require.Equal(t, exitHolds, code)
		require.Contains(t, out, "time passes", "the default format is the text timeline")
	}

	// The whole state graph, for a configuration small enough to draw; the
	// default one is refused with a clear message.
	code, _, stderr = runCLI("trace", "show", filepath.Join(dir, "cex.no-rst-on-retransmitted-fin.json"), "--format", "dot-graph")
	require.Equal(t, exitBadInput, code)
	require.Contains(t, stderr, "write the trace from a smaller configuration")
	small := filepath.Join(dir, "small.json")
	code, _, stderr = runCLI("check", "--msl", "1", "--tw", "1", "--loss", "1", "--dup", "0", "--incarnations", "1",
		"--property", "no-rst-on-retransmitted-fin", "--trace-out", small)
	require.Equal(t, exitViolated, code, stderr)
	code, out, stderr := runCLI("trace", "show", small, "--format", "dot-graph")
	require.Equal(t, exitHolds, code, stderr)
	require.True(t, strings.HasPrefix(out, "digraph"), out[:min(len(out), 80)])
	require.Contains(t, out, "doublecircle", "the violating state is marked")

	// One property: the file name is used as given.
	one := filepath.Join(dir, "one.json")
	code, _, stderr = runCLI("check", "--msl", "1", "--tw", "1", "--property", "no-rst-on-retransmitted-fin", "--trace-out", one, "--search", "shortest")
	require.Equal(t, exitViolated, code, stderr)
	data, err := os.ReadFile(one)
	require.NoError(t, err)
	require.Contains(t, string(data), `"search": "shortest"`)

	// No violation: nothing is written, and the user is told.
	none := filepath.Join(dir, "none.json")
	code, _, stderr = runCLI("check", "--msl", "1", "--tw", "2", "--property", "no-rst-on-retransmitted-fin", "--trace-out", none)
	require.Equal(t, exitHolds, code)
	require.Contains(t, stderr, "no counterexample")
	require.NoFileExists(t, none)
}

// TestTraceReplayNoLongerViolates: a trace that replays but no longer
// violates exits 1; a file that does not replay or does not decode exits 2
// with one line naming the problem.
func TestTraceReplayExitCodes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cex.json")
	code, _, stderr := runCLI("check", "--msl", "1", "--tw", "1", "--property", "no-rst-on-retransmitted-fin", "--trace-out", file)
	require.Equal(t, exitViolated, code, stderr)
	var doc map[string]any
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &doc))

	write := func(name string, f func(m map[string]any)) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal(data, &m))
		f(m)
		out, err := json.Marshal(m)
		require.NoError(t, err)
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, out, 0o644))
		return p
	}
	cut := write("cut.json", func(m map[string]any) {
		for _, k := range []string{"actions", "states", "labels"} {
			l := m[k].([]any)
			m[k] = l[:len(l)-1]
		}
	})
	code, out, _ := runCLI("trace", "replay", cut)
	require.Equal(t, exitViolated, code)
	require.Contains(t, out, "NO LONGER violated")

	edited := write("edited.json", func(m map[string]any) { m["actions"].([]any)[2] = "timeout B tw" })
	code, _, stderr = runCLI("trace", "replay", edited)
	require.Equal(t, exitBadInput, code)
	require.Contains(t, stderr, "step 3")
	require.Equal(t, 1, strings.Count(stderr, "\n"), stderr)

	broken := filepath.Join(dir, "broken.json")
	require.NoError(t, os.WriteFile(broken, data[:len(data)/3], 0o644))
	for _, args := range [][]string{
		{"trace", "replay", broken},
		{"trace", "show", broken},
		{"trace", "replay", filepath.Join(dir, "missing.json")},
		{"trace", "replay"},
		{"trace", "show", file, "--format", "jpeg"},
		{"trace", "show", file, "--kernel", "C"},
		{"trace", "show", file, "extra"},
		{"trace", "frobnicate"},
		{"trace"},
		{"check", "--search", "lucky"},
	} {
		code, _, stderr := runCLI(args...)
		require.Equal(t, exitBadInput, code, "%v", args)
		require.Equal(t, 1, strings.Count(stderr, "\n"), "one line for %v: %q", args, stderr)
		require.True(t, strings.HasPrefix(stderr, "timewait: "), "%v: %q", args, stderr)
	}
}
