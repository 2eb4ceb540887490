package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/checker"
)

func TestProgressRecords(t *testing.T) {
	pr := checker.Progress{States: 2000, Transitions: 9000, Depth: 7, Queue: 300, Memory: 3 << 20, Elapsed: 2 * time.Second}

	var buf bytes.Buffer
	p := &progress{w: &buf, json: true, label: "msl=2 tw=4"}
	p.update(pr)
	p.update(pr)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2, "--json: one record per update")
	var rec struct {
		Progress map[string]any `json:"progress"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec))
	want := map[string]any{"label": "msl=2 tw=4", "states": 2000.0, "transitions": 9000.0, "depth": 7.0,
		"queue": 300.0, "states_per_second": 1000.0, "memory_bytes": float64(3 << 20), "seconds": 2.0}
	require.Equal(t, want, rec.Progress)

	buf.Reset()
	p = &progress{w: &buf, terminal: true}
	p.update(pr)
	require.Equal(t, "\r\033[K2000 states (1000/s), depth 7, queue 300, memory 3.0 MiB, 2s", buf.String())
	p.done()
	require.True(t, strings.HasSuffix(buf.String(), "\r\033[K"), "done clears the live line")

	buf.Reset()
	p = &progress{w: &buf}
	p.update(pr)
	p.update(pr) // within 5 s of the last line: skipped
	require.Equal(t, "progress: 2000 states (1000/s), depth 7, queue 300, memory 3.0 MiB, 2s\n", buf.String())
}

func TestParseMemory(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{{"0", 0}, {"4GiB", 4 << 30}, {"500MB", 500e6}, {"1.5 MiB", 1536 << 10}, {"2TB", 2e12}, {"2097152B", 2 << 20}} {
		got, _, err := parseMemory(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	got, note, err := parseMemory("50%")
	require.NoError(t, err)
	if got > 0 {
		require.Equal(t, "50% of available memory", note)
	}
	for _, bad := range []string{"10", "abc", "-1GB", "0%", "101%", "x%", "GB", "1e30TB", "NaN%", "NaNGB", "0.5B", "1e-12GiB", "4096B"} {
		_, _, err := parseMemory(bad)
		require.Error(t, err, bad)
		require.NotContains(t, err.Error(), "\n")
	}
}
