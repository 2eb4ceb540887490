package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/variants"
)

func TestVariantsCommand(t *testing.T) {
	code, out, _ := runCLI("variants", "--json")
	require.Equal(t, exitHolds, code)
	var vs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &vs))
	require.Len(t, vs, len(variants.All()))
	for _, v := range vs {
		for _, k := range []string{"name", "title", "source", "doc", "sets", "fixed_tw"} {
			require.Contains(t, v, k)
		}
	}
	code, out, _ = runCLI("variants")
	require.Equal(t, exitHolds, code)
	require.Contains(t, out, "rfc793")
}

// TestCheckVariantTrace: a variant's counterexample records the variant and
// replays; a trace whose configuration lost the variant's rules does not.
func TestCheckVariantTrace(t *testing.T) {
	dir := t.TempDir()
	doc, data := violatedTrace(t, dir, "--variant", "rfc793", "--msl", "1", "--tw", "2", "--property", "no-rst-on-retransmitted-fin")
	require.Equal(t, "rfc793", doc["variant"])
	require.Equal(t, "close", doc["config"].(map[string]any)["tw_rst"])
	require.Contains(t, string(data), `"variant": "rfc793"`)

	code, stderr := replayEdited(t, dir, data, `"tw_rst": "close"`, `"tw_rst": "ignore"`)
	require.Equal(t, exitBadInput, code)
	require.Contains(t, stderr, "does not have variant rfc793's rules")

	code, stderr = replayEdited(t, dir, data, `"variant": "rfc793"`, `"variant": "bsd-4.4"`)
	require.Equal(t, exitBadInput, code)
	require.Contains(t, stderr, `unknown variant "bsd-4.4"`)
}

func TestVariantBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"check", "--variant", "bsd-4.4"},
		{"check", "--variant", "rfc793", "--tw-rst", "ignore"},
		{"sweep", "--variant", "no-timewait", "--tw", "3"},
		{"compare", "rfc793"},
		{"compare", "rfc793", "nope"},
		{"compare", "rfc793", "rfc1337", "--tw-rst", "close"},
		{"variants", "--bogus"},
		{"variants", "--results", "--msl-limits"},
		{"check", "--seq-space", "12"},
		{"check", "--window", "3"},
		{"check", "--data-len", "3"},
		{"check", "--tw-syn", "maybe"},
		{"check", "--tw-rules", "bsd"},
		{"check", "--isn-start", "3"},
		{"check", "--tw-reuse", "1"},
		{"check", "--ts-cache"},
		{"check", "--variant", "linux", "--retries", "5"},
		{"check", "--variant", "rfc6191", "--close-order", "a-then-b"},
	} {
		code, _, stderr := runCLI(args...)
		require.Equal(t, exitBadInput, code, "%v", args)
		require.Equal(t, 1, strings.Count(stderr, "\n"), "one line for %v: %q", args, stderr)
	}
}

// TestCompareRFC793 pins the difference between rfc1337 and rfc793 with the
// distinguishing run: TIME-WAIT assassination (RFC 1337), after which only
// rfc793's A may open a new incarnation.
func TestCompareRFC793(t *testing.T) {
	code, out, stderr := runCLI("compare", "rfc1337", "rfc793", "--msl", "1", "--tw", "2", "--json")
	require.Equal(t, exitHolds, code, stderr)
	var doc struct {
		Distinguishable bool `json:"distinguishable"`
		Results         []struct {
			Property string    `json:"property"`
			Verdicts [2]string `json:"verdicts"`
			Differs  bool      `json:"differs"`
		} `json:"results"`
		Trace struct {
			Variant string   `json:"variant"`
			Actions []string `json:"actions"`
			Labels  []string `json:"labels"`
		} `json:"distinguishing_run"`
		Last [2]string `json:"last_step"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.True(t, doc.Distinguishable)
	for _, r := range doc.Results[:2] {
		require.Equal(t, [2]string{"holds", "violated"}, r.Verdicts, r.Property)
		require.True(t, r.Differs)
	}
	require.Equal(t, "rfc793", doc.Trace.Variant)
	require.Equal(t, "not enabled", doc.Last[0])
	require.True(t, strings.HasPrefix(doc.Last[1], "connect A"), doc.Last[1])
	n := len(doc.Trace.Labels)
	require.Contains(t, doc.Trace.Labels[n-2], "TIME-WAIT × RST", "the step before: an RST reaches TIME-WAIT")
	require.Contains(t, doc.Trace.Labels[n-2], "RST closes TIME-WAIT")
}

// TestComparePortSkip: with port-skip the server does not listen again on
// the 4-tuple once its only incarnation has ended, so an old ACK meets a
// closed port instead of a listener (both answer with an RST); and the
// stale-segment properties differ.
func TestComparePortSkip(t *testing.T) {
	code, out, stderr := runCLI("compare", "rfc1337", "port-skip", "--msl", "1", "--tw", "2", "--brief")
	require.Equal(t, exitHolds, code, stderr)
	require.Contains(t, out, "rfc1337: deliver A>B ACK")
	require.Contains(t, out, "(LISTEN × ACK: ACK in LISTEN: RST)")
	require.Contains(t, out, "(CLOSED × ACK: no connection: RST)")
	require.Contains(t, out, "in port-skip the witness is not reachable")
}

// TestCompareSame: a variant compared with itself is indistinguishable, and
// the search says it was complete.
func TestCompareSame(t *testing.T) {
	code, out, stderr := runCLI("compare", "port-skip", "port-skip", "--msl", "1", "--tw", "2", "--loss", "0", "--dup", "0")
	require.Equal(t, exitHolds, code, stderr)
	require.Contains(t, out, "indistinguishable")
}

// TestSweepVariantConflicts: a sweep may not vary or set what the variant
// decides.
func TestSweepVariantConflicts(t *testing.T) {
	for _, args := range [][]string{
		{"sweep", "--variant", "so-linger-zero", "--tw", "3", "--msl", "1"},
		{"sweep", "--variant", "port-skip", "--vary", "incarnations=2", "--msl", "1"},
	} {
		code, _, stderr := runCLI(args...)
		require.Equal(t, exitBadInput, code, "%v", args)
		require.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	}
}

// TestSweepFixedTW: a variant that fixes TIME-WAIT is swept over MSL.
func TestSweepFixedTW(t *testing.T) {
	code, out, stderr := runCLI("sweep", "--variant", "no-timewait", "--msl", "1..2", "--json")
	require.Equal(t, exitHolds, code, stderr)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, float64(0), doc["fixed_tw"])
	lim := doc["msl_limits"].([]any)
	require.Len(t, lim, 2)
	for _, l := range lim {
		require.Nil(t, l.(map[string]any)["max_msl"], "no MSL is safe without TIME-WAIT")
	}
	code, out, _ = runCLI("sweep", "--variant", "no-timewait", "--msl", "1")
	require.Equal(t, exitHolds, code)
	require.Contains(t, out, "max_msl = none in range")
}

// TestFaithfulTrace: a counterexample found in the sequence-faithful mode
// (a Linux variant: timestamps, Linux's TIME-WAIT handler) records the
// mode's configuration, replays, and is refused once a faithful field is
// changed.
func TestFaithfulTrace(t *testing.T) {
	dir := t.TempDir()
	doc, data := violatedTrace(t, dir, "--variant", "linux", "--msl", "1", "--dup", "0", "--seq-space", "16", "--property", "no-rst-on-retransmitted-fin")
	cfg := doc["config"].(map[string]any)
	require.Equal(t, true, cfg["timestamps"])
	require.Equal(t, "linux", cfg["tw_rules"])
	require.Equal(t, float64(16), cfg["seq_space"])
	require.Contains(t, string(data), "kills TIME-WAIT (tcp_rfc1337=0)")
	code, stderr := replayEdited(t, dir, data, `"tw_rules": "linux"`, `"tw_rules": "rfc"`)
	require.Equal(t, exitBadInput, code)
	require.Contains(t, stderr, "does not have variant linux's rules")
	// The space is not the variant's: a larger one replays this run
	// unchanged (no number in it reaches 16), a longer data segment does not.
	code, stderr = replayEdited(t, dir, data, `"seq_space": 16`, `"seq_space": 32`)
	require.Equal(t, exitHolds, code, stderr)
	code, stderr = replayEdited(t, dir, data, `"seq_space": 16`, `"seq_space": 16, "data_len": 2`)
	require.Equal(t, exitBadInput, code)
	require.Contains(t, stderr, "initial state differs")
}

// violatedTrace runs "check ARGS --trace-out F --json" in dir, requires a
// violation, replays the trace file it wrote, and returns the JSON result
// and the file's contents.
func violatedTrace(t *testing.T, dir string, args ...string) (map[string]any, []byte) {
	t.Helper()
	file := filepath.Join(dir, "cex.json")
	code, out, stderr := runCLI(append(append([]string{"check"}, args...), "--trace-out", file, "--json")...)
	require.Equal(t, exitViolated, code, stderr)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	code, _, stderr = runCLI("trace", "replay", file)
	require.Equal(t, exitHolds, code, stderr)
	return doc, data
}

// replayEdited writes the trace data with old replaced by new (which must
// occur in it) to a file in dir, replays that, and returns the exit status
// and standard error.
func replayEdited(t *testing.T, dir string, data []byte, old, new string) (int, string) {
	t.Helper()
	require.Contains(t, string(data), old, "the edit must change the trace")
	file := filepath.Join(dir, "edited.json")
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
	code, _, stderr := runCLI("trace", "replay", file)
	return code, stderr
}
