package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// withoutTiming parses a sweep's --json output and drops the timing fields
// (each row's seconds), the only ones a merged sweep may change.
func withoutTiming(t *testing.T, out string) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	for _, r := range doc["rows"].([]any) {
		delete(r.(map[string]any), "seconds")
	}
	return doc
}

// writeShards runs shards 1..n of the sweep given by args, writing each
// document to dir (shard 1/1 through stdout, the others with --out), and
// returns the files in reverse order, so that merging does not depend on
// the order of its arguments.
func writeShards(t *testing.T, dir string, n, wantCode int, args ...string) []string {
	t.Helper()
	var files []string
	for i := 1; i <= n; i++ {
		file := filepath.Join(dir, fmt.Sprintf("shard-%d-of-%d.json", i, n))
		shardArgs := append([]string{"sweep"}, args...)
		shardArgs = append(shardArgs, "--shard", fmt.Sprintf("%d/%d", i, n))
		if n == 1 {
			code, out, stderr := runCLI(shardArgs...)
			require.Equal(t, wantCode, code, stderr)
			require.NoError(t, os.WriteFile(file, []byte(out), 0o644))
		} else {
			code, out, stderr := runCLI(append(shardArgs, "--out", file)...)
			// A shard of an incomplete sweep may have only complete units.
			require.True(t, code == wantCode || wantCode == exitIncomplete && code == exitHolds, "shard %d/%d: exit %d: %s", i, n, code, stderr)
			require.Empty(t, out, "--out leaves stdout empty")
		}
		files = append([]string{file}, files...)
	}
	return files
}

// TestShardMergeEqualsUnsharded: merging the shards of a sweep prints what
// the unsharded sweep prints, text and JSON (timing aside), with the same
// exit status, however many shards and whatever the order of the files.
func TestShardMergeEqualsUnsharded(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		// 4 units: 5 shards leave one empty.
		{"vary", []string{"--msl", "1", "--tw", "0..3", "--vary", "loss=0..1,rto=1..2"}, exitHolds},
		{"fixed-tw-variant", []string{"--variant", "no-timewait", "--msl", "1..2"}, exitHolds},
		{"all-tw-variant", []string{"--variant", "rfc793", "--msl", "1", "--tw", "0..3", "--all-tw"}, exitHolds},
		{"incomplete", []string{"--msl", "1..2", "--max-states", "3000"}, exitIncomplete},
		{"symmetric", []string{"--msl", "1", "--tw", "0..3", "--no-data", "--incarnations", "1", "--close-order", "any", "--vary", "loss=0..1"}, exitHolds},
		{"symmetric-off", []string{"--msl", "1", "--tw", "0..3", "--no-data", "--incarnations", "1", "--close-order", "any", "--no-symmetry"}, exitHolds},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, wantJSON, stderr := runCLI(append(append([]string{"sweep"}, tc.args...), "--json")...)
			require.Equal(t, tc.code, code, stderr)
			code, wantText, stderr := runCLI(append([]string{"sweep"}, tc.args...)...)
			require.Equal(t, tc.code, code, stderr)
			for _, n := range []int{1, 3, 5} {
				files := writeShards(t, t.TempDir(), n, tc.code, tc.args...)
				code, gotJSON, stderr := runCLI(append([]string{"sweep", "--merge", "--json"}, files...)...)
				require.Equal(t, tc.code, code, "%d shards: %s", n, stderr)
				require.Equal(t, withoutTiming(t, wantJSON), withoutTiming(t, gotJSON), "%d shards", n)
				// Flags after the files are flags too.
				code, gotText, stderr := runCLI(append(append([]string{"sweep", "--merge"}, files...), "--brief=false")...)
				require.Equal(t, tc.code, code, "%d shards: %s", n, stderr)
				require.Equal(t, wantText, gotText, "%d shards", n)
			}
		})
	}
}

// TestShardAssignment: unit k (in the sweep's order) goes to shard
// k mod n + 1, and each shard records the whole sweep's specification.
func TestShardAssignment(t *testing.T) {
	args := []string{"--msl", "1", "--tw", "2..3", "--vary", "loss=0..1,rto=1..2", "--property", "no-stale-segment-accepted"}
	files := writeShards(t, t.TempDir(), 3, exitHolds, args...)
	slices.Reverse(files)
	want := [][]string{{"0 loss=0 rto=1", "3 loss=1 rto=2"}, {"1 loss=0 rto=2"}, {"2 loss=1 rto=1"}}
	for i, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var doc shardDoc
		require.NoError(t, json.Unmarshal(raw, &doc))
		require.Equal(t, shardFormat, doc.Format)
		require.Equal(t, i+1, doc.Shard)
		require.Equal(t, 3, doc.Shards)
		require.Equal(t, 4, doc.Units)
		require.Equal(t, []int{2, 3}, doc.Sweep.TW)
		require.Equal(t, []string{"no-stale-segment-accepted"}, doc.Sweep.Properties)
		var got []string
		for _, u := range doc.Results {
			s := fmt.Sprint(u.Unit)
			for _, p := range u.Params {
				s += fmt.Sprintf(" %s=%d", p.Name, p.Value)
			}
			got = append(got, s)
		}
		require.Equal(t, want[i], got, "shard %d/3", i+1)
	}
}

// TestShardBadInput: bad --shard values, and shard files that are missing,
// repeated, of different sweeps or not shard documents at all, are one line
// on stderr and exit status 2.
func TestShardBadInput(t *testing.T) {
	dir := t.TempDir()
	// MSL 1, TW 1..3: violated at 1, so the threshold has a counterexample.
	sweep := []string{"--msl", "1", "--tw", "1..3", "--vary", "rto=1..2", "--property", "no-rst-on-retransmitted-fin"}
	s := writeShards(t, dir, 2, exitHolds, sweep...)
	s1, s2 := s[1], s[0]
	other := writeShards(t, dir, 1, exitHolds, "--msl", "1", "--tw", "2..3", "--property", "no-rst-on-retransmitted-fin")[0]
	boundedDir := filepath.Join(dir, "bounded")
	require.NoError(t, os.Mkdir(boundedDir, 0o755))
	bounded := writeShards(t, boundedDir, 2, exitHolds, append(sweep, "--max-states", "100000")...)[0]
	threeDir := filepath.Join(dir, "three")
	require.NoError(t, os.Mkdir(threeDir, 0o755))
	third := writeShards(t, threeDir, 3, exitHolds, sweep...)[2]
	_, unsharded, _ := runCLI("sweep", "--msl", "1", "--tw", "3", "--property", "no-rst-on-retransmitted-fin", "--json")

	orig, err := os.ReadFile(s1)
	require.NoError(t, err)
	edited := func(name, old, new string) string {
		require.Contains(t, string(orig), old)
		f := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(f, []byte(strings.Replace(string(orig), old, new, 1)), 0o644))
		return f
	}
	file := func(name, content string) string {
		f := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(f, []byte(content), 0o644))
		return f
	}
	garbage := file("garbage.json", "garbage\n")
	truncated := file("truncated.json", string(orig[:len(orig)/2]))
	notShard := file("unsharded.json", unsharded)
	version2 := edited("version2.json", `"version": 1,`, `"version": 2,`)
	oldTool := edited("old-tool.json", `"tool_version": "`+Version+`"`, `"tool_version": "0.0.1"`)
	extra := edited("extra.json", `"units": 2,`, `"units": 2, "colour": "blue",`)
	badType := edited("bad-type.json", `"shard": 1,`, `"shard": "one",`)
	wrongUnit := edited("wrong-unit.json", `"unit": 0,`, `"unit": 1,`)
	badVerdict := edited("bad-verdict.json", `"verdict": "holds"`, `"verdict": "fine"`)
	badTrace := edited("bad-trace.json", `"init": "`, `"init": "X`)
	otherConfig := edited("other-config.json", `"min_tw": 2,`, `"min_tw": 3,`)

	for _, tc := range []struct {
		name string
		args []string
		want string // in the one line on stderr
	}{
		{"shard 0", []string{"sweep", "--msl", "1", "--shard", "0/3"}, `--shard "0/3": want i/n with 1 ≤ i ≤ n`},
		{"shard i>n", []string{"sweep", "--msl", "1", "--shard", "4/3"}, `--shard "4/3"`},
		{"shard n=0", []string{"sweep", "--msl", "1", "--shard", "1/0"}, `--shard "1/0"`},
		{"shard negative", []string{"sweep", "--msl", "1", "--shard", "-1/2"}, `--shard "-1/2"`},
		{"shard junk", []string{"sweep", "--msl", "1", "--shard", "x"}, `--shard "x": want i/n`},
		{"shard no n", []string{"sweep", "--msl", "1", "--shard", "1/"}, `--shard "1/"`},
		{"shard three parts", []string{"sweep", "--msl", "1", "--shard", "1/2/3"}, `--shard "1/2/3"`},
		{"out without shard", []string{"sweep", "--msl", "1", "--out", filepath.Join(dir, "x.json")}, "--out writes a shard document: it needs --shard"},
		{"out unwritable", []string{"sweep", "--msl", "1", "--shard", "1/2", "--out", filepath.Join(dir, "no", "x.json")}, "cannot create a file in"},
		{"stray argument", []string{"sweep", "--msl", "1", s1}, "unexpected argument"},
		{"merge with shard", []string{"sweep", "--merge", "--shard", "1/2", s1, s2}, "--merge and --shard cannot be combined"},
		{"merge with sweep flag", []string{"sweep", "--merge", "--msl", "1", s1, s2}, "--msl cannot be given with --merge"},
		{"merge no files", []string{"sweep", "--merge", "--json"}, "--merge: no shard files"},
		{"missing shard", []string{"sweep", "--merge", s1}, "missing shard 2/2 (given 1 of 2)"},
		{"missing shards", []string{"sweep", "--merge", third}, "missing shards 2/3, 3/3 (given 1 of 3)"},
		{"duplicate shard", []string{"sweep", "--merge", s1, s2, s1}, "shard 1/2 is given more than once"},
		{"different sweep", []string{"sweep", "--merge", s1, other}, "are shards of different sweeps (they differ in tw, vary)"},
		{"different bound", []string{"sweep", "--merge", s1, bounded}, "differ in max_states"},
		{"split differently", []string{"sweep", "--merge", s1, third}, "the sweep was split differently"},
		{"no such file", []string{"sweep", "--merge", s1, filepath.Join(dir, "nope.json")}, "nope.json: no such file"},
		{"garbage", []string{"sweep", "--merge", s1, garbage}, "garbage.json: malformed JSON at line 1, column 1"},
		{"truncated", []string{"sweep", "--merge", truncated, s2}, "truncated.json: malformed JSON"},
		{"not a shard", []string{"sweep", "--merge", notShard}, `not a sweep shard document`},
		{"unknown version", []string{"sweep", "--merge", version2, s2}, "shard format version 2, this tool reads 1"},
		{"other tool version", []string{"sweep", "--merge", oldTool, s2}, `written by timewait "0.0.1"`},
		{"unknown field", []string{"sweep", "--merge", extra, s2}, `unknown field "colour"`},
		{"wrong type", []string{"sweep", "--merge", badType, s2}, `"shard": want a whole number, not string`},
		{"wrong unit", []string{"sweep", "--merge", wrongUnit, s2}, "result 1 is unit 1, shard 1/2's should be unit 0"},
		{"bad verdict", []string{"sweep", "--merge", badVerdict, s2}, `verdict "fine"`},
		{"counterexample of another configuration", []string{"sweep", "--merge", otherConfig, s2}, "not of this unit's configuration at tw=2"},
		{"counterexample does not replay", []string{"sweep", "--merge", badTrace, s2}, "counterexample: trace does not replay: initial state differs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(tc.args...)
			require.Equal(t, exitBadInput, code, "%v: %s", tc.args, stderr)
			require.Empty(t, stdout)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			require.True(t, strings.HasPrefix(stderr, "timewait: "), stderr)
			require.Contains(t, stderr, tc.want)
		})
	}
}
