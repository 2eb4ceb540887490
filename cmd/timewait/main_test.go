package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestBadInput: every invalid value is one line on stderr and exit status 2.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	badJSON := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(badJSON, []byte(`{"msl": 2,`), 0o644))
	unknownField := filepath.Join(dir, "unknown.json")
	require.NoError(t, os.WriteFile(unknownField, []byte(`{"msll": 2}`), 0o644))
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"check", "--msl", "0"},
		{"check", "--msl", "-1"},
		{"check", "--tw", "-3"},
		{"check", "--tw", "1000"},
		{"check", "--loss", "-1"},
		{"check", "--property", "no-such-property"},
		{"check", "--lifetime", "forever"},
		{"check", "--close-order", "b-first"},
		{"check", "--tw-rst", "maybe"},
		{"check", "--mutant", "nope"},
		{"check", "--max-states", "-5"},
		{"check", "--grid", "99"},
		{"check", "--msl", "x"},
		{"check", "extra"},
		{"check", "--config", badJSON},
		{"check", "--config", unknownField},
		{"check", "--config", filepath.Join(dir, "missing.json")},
		{"check", "--no-data", "--data-len", "2"},
		{"check", "--no-data", "--data-unacked"},
		{"sweep", "--msl", "3..1"},
		{"sweep", "--msl", "0"},
		{"sweep", "--tw", "a..b"},
		{"sweep", "--vary", "colour=1..2"},
		{"sweep", "--vary", "rto"},
		{"sweep", "--vary", "rto=1..2,rto=3"},
		{"sweep", "--property", "retransmitted-fin-in-time-wait"},
		{"properties", "--bogus"},
	} {
		code, _, stderr := runCLI(args...)
		require.Equal(t, exitBadInput, code, "%v", args)
		if len(args) > 0 {
			require.Equal(t, 1, strings.Count(stderr, "\n"), "one line for %v: %q", args, stderr)
			require.True(t, strings.HasPrefix(stderr, "timewait: "), "%v: %q", args, stderr)
		}
	}
}

func TestCheckExitCodesAndJSON(t *testing.T) {
	code, stdout, _ := runCLI("check", "--msl", "1", "--tw", "2", "--property", "no-rst-on-retransmitted-fin", "--json")
	require.Equal(t, exitHolds, code)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	for _, k := range []string{"tool", "version", "config", "results", "witnesses"} {
		require.Contains(t, doc, k)
	}
	res := doc["results"].([]any)[0].(map[string]any)
	for _, k := range []string{"property", "verdict", "holds", "complete", "states", "transitions", "depth", "seconds", "trace"} {
		require.Contains(t, res, k)
	}
	require.Equal(t, "holds", res["verdict"])
	require.Equal(t, true, res["holds"])
	require.Equal(t, float64(1), doc["config"].(map[string]any)["msl"])

	// The printed configuration is accepted back by --config.
	cfgFile := filepath.Join(t.TempDir(), "cfg.json")
	raw, err := json.Marshal(doc["config"])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfgFile, raw, 0o644))
	code, _, stderr := runCLI("check", "--config", cfgFile, "--property", "no-rst-on-retransmitted-fin", "--json")
	require.Equal(t, exitHolds, code, stderr)

	code, stdout, _ = runCLI("check", "--msl", "1", "--tw", "2", "--property", "no-rst-on-retransmitted-fin", "--mutant", "time-wait-ignores-fin")
	require.Equal(t, exitViolated, code)
	require.Contains(t, stdout, "counterexample to no-rst-on-retransmitted-fin")
	require.Contains(t, stdout, "[mutant rule]")

	code, stdout, _ = runCLI("check", "--msl", "1", "--tw", "2", "--max-states", "500", "--property", "no-stale-segment-accepted", "--json")
	require.Equal(t, exitIncomplete, code)
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	res = doc["results"].([]any)[0].(map[string]any)
	require.Equal(t, "incomplete", res["verdict"])
	require.Equal(t, false, res["holds"], "holds is never true for an incomplete search")
}

func TestCoverage(t *testing.T) {
	code, stdout, _ := runCLI("check", "--msl", "1", "--tw", "2", "--property", "no-rst-on-retransmitted-fin", "--coverage")
	require.Equal(t, exitHolds, code)
	require.Contains(t, stdout, "TIME-WAIT      × FIN")
	require.Contains(t, stdout, "never fired")
}

func TestSweepSmall(t *testing.T) {
	code, stdout, stderr := runCLI("sweep", "--msl", "1", "--json")
	require.Equal(t, exitHolds, code, stderr)
	var doc struct {
		Thresholds []map[string]any `json:"thresholds"`
		Rows       []map[string]any `json:"rows"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	require.Len(t, doc.Thresholds, 2)
	for _, th := range doc.Thresholds {
		require.Equal(t, float64(2), th["min_tw"], "%v", th["property"])
		require.Equal(t, float64(1), th["counterexample_tw"])
		require.Contains(t, th, "counterexample")
	}
	require.NotEmpty(t, doc.Rows)
	for _, k := range []string{"msl", "tw", "property", "verdict", "states", "seconds"} {
		require.Contains(t, doc.Rows[0], k)
	}
}

// TestSweepShared: by default the holding TWs are decided by the shared
// search and marked "shared"; --no-share searches each TW alone. The rows
// are otherwise the same.
func TestSweepShared(t *testing.T) {
	rows := func(args ...string) []map[string]any {
		code, stdout, stderr := runCLI(append([]string{"sweep", "--msl", "1", "--json"}, args...)...)
		require.Equal(t, exitHolds, code, stderr)
		var doc struct {
			Rows []map[string]any `json:"rows"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
		return doc.Rows
	}
	shared, plain := rows(), rows("--no-share")
	require.Len(t, shared, len(plain))
	for i, r := range shared {
		p := plain[i]
		require.Equal(t, r["verdict"] == "holds", r["shared"], "tw %v", r["tw"])
		require.Equal(t, false, p["shared"])
		for _, k := range []string{"tw", "property", "verdict", "complete", "states", "transitions"} {
			require.Equal(t, p[k], r[k], "tw %v %s", r["tw"], k)
		}
	}
	require.Equal(t, 10, len(shared), "TW 5..1, two properties")
}

func TestPropertiesCommand(t *testing.T) {
	code, stdout, _ := runCLI("properties", "--json")
	require.Equal(t, exitHolds, code)
	var ps []map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &ps))
	require.Len(t, ps, 6)
	require.Equal(t, "no-rst-on-retransmitted-fin", ps[0]["id"])
	for _, p := range ps {
		require.Equal(t, true, p["symmetric"], p["id"])
	}
	code, stdout, _ = runCLI("properties")
	require.Equal(t, exitHolds, code)
	require.Contains(t, stdout, "no-stale-reset (always)")
}

// TestStores runs one check with each --store and requires the same
// output apart from the store's own figures, and the store named in --json.
func TestStores(t *testing.T) {
	base := []string{"check", "--msl", "1", "--tw", "1", "--json"}
	var first map[string]any
	for _, store := range []string{"auto", "exact", "fingerprint", "map"} {
		code, stdout, stderr := runCLI(append(append([]string(nil), base...), "--store", store)...)
		require.Equal(t, exitViolated, code, stderr)
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
		x := doc["explorer"].(map[string]any)
		want := map[string]string{"auto": "exact"}[store]
		if want == "" {
			want = store
		}
		require.Equal(t, want, x["store"], store)
		if store == "fingerprint" {
			require.Positive(t, x["collision_probability"], store)
		} else {
			require.Zero(t, x["collision_probability"], store)
		}
		delete(doc, "explorer")
		delete(doc, "seconds")
		for _, key := range []string{"results", "witnesses"} {
			for _, r := range doc[key].([]any) {
				delete(r.(map[string]any), "seconds")
			}
		}
		if first == nil {
			first = doc
			continue
		}
		require.Equal(t, first, doc, store)
	}
	require.Positive(t, first["states"])
}

// TestSymmetryReduction: a symmetric configuration is searched up to
// swapping A and B by default, says so in text and JSON, and gives the same
// verdicts and counterexample lengths as the whole search (--no-symmetry)
// with about half the states.
func TestSymmetryReduction(t *testing.T) {
	base := []string{"check", "--no-data", "--incarnations", "1", "--close-order", "any", "--msl", "1", "--tw", "1", "--json"}
	red, full := checkJSON(t, exitViolated, base...), checkJSON(t, exitViolated, append(base, "--no-symmetry")...)
	require.Equal(t, true, red["symmetry"])
	require.NotContains(t, full, "symmetry", "omitted when false")
	rs, fs := red["states"].(float64), full["states"].(float64)
	require.Less(t, rs, fs)
	require.GreaterOrEqual(t, 2*rs, fs)
	require.Equal(t, outcomeShape(full, "results", "witnesses"), outcomeShape(red, "results", "witnesses"))
	require.NotContains(t, outcomeShape(red, "results"), "no-rst-on-retransmitted-fin violated 0", "guard: the violation has a trace to compare")

	_, text, _ := runCLI(base[:len(base)-1]...)
	require.Contains(t, text, "reduced by the A↔B symmetry")
	_, text, _ = runCLI(append(base[:len(base)-1:len(base)-1], "--no-symmetry")...)
	require.NotContains(t, text, "symmetry")
}

// TestLateFaultsFlag: --late-faults reaches the model (the JSON
// configuration and the header say so) and explores the unreduced
// transitions: the same states with more transitions, and the same
// verdicts and counterexample lengths.
func TestLateFaultsFlag(t *testing.T) {
	base := []string{"check", "--msl", "1", "--tw", "1", "--property", "no-rst-on-retransmitted-fin", "--exhaustive", "--search", "shortest", "--json"}
	red, late := checkJSON(t, exitViolated, base...), checkJSON(t, exitViolated, append(base, "--late-faults")...)
	require.Equal(t, true, late["config"].(map[string]any)["late_faults"])
	require.NotContains(t, red["config"], "late_faults", "omitted when false")
	require.Equal(t, late["states"], red["states"])
	transitions := func(doc map[string]any) float64 {
		return doc["results"].([]any)[0].(map[string]any)["transitions"].(float64)
	}
	require.Less(t, transitions(red), transitions(late))
	require.Equal(t, outcomeShape(late, "results", "witnesses"), outcomeShape(red, "results", "witnesses"))
	require.Contains(t, outcomeShape(red, "results"), "no-rst-on-retransmitted-fin violated 13", "guard: the violation has its trace")

	_, text, _ := runCLI(append(base[:len(base)-1:len(base)-1], "--late-faults")...)
	require.Contains(t, text, " late-faults")
}

// outcomeShape lists "property verdict steps" for each outcome under the
// given keys of a check's JSON document (steps: the trace's actions, 0
// without a trace).
func outcomeShape(doc map[string]any, keys ...string) []string {
	var out []string
	for _, key := range keys {
		for _, r := range doc[key].([]any) {
			m := r.(map[string]any)
			steps := 0
			if tr, ok := m["trace"].(map[string]any); ok {
				steps = len(tr["actions"].([]any))
			}
			out = append(out, fmt.Sprintf("%s %s %d", m["property"], m["verdict"], steps))
		}
	}
	return out
}

// checkJSON runs the CLI with args, requires the exit status, and decodes
// its JSON output.
func checkJSON(t *testing.T, exit int, args ...string) map[string]any {
	t.Helper()
	code, stdout, stderr := runCLI(args...)
	require.Equal(t, exit, code, stderr)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	return doc
}
