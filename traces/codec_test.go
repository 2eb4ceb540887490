package traces_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/traces"
)

func goldenBytes(t testing.TB) []byte {
	data, err := os.ReadFile(goldenPath("no-rst-on-retransmitted-fin", traces.SearchShortest))
	require.NoError(t, err)
	return data
}

// edit decodes the golden file into a generic map, applies f and re-encodes.
func edit(t *testing.T, f func(m map[string]any)) []byte {
	var m map[string]any
	require.NoError(t, json.Unmarshal(goldenBytes(t), &m))
	f(m)
	out, err := json.MarshalIndent(m, "", "  ")
	require.NoError(t, err)
	return out
}

// TestDecodeErrors: every malformed, truncated, oversized or inconsistent
// file is a DecodeError that says where and why.
func TestDecodeErrors(t *testing.T) {
	good := goldenBytes(t)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"not JSON", []byte("hello"), "line 1, column 1"},
		{"truncated", good[:len(good)/2], "truncated"},
		{"syntax error on line 3", []byte("{\n  \"format\": \"timewait-trace\",\n  \"version\": 1,,\n}"), "line 3"},
		{"trailing data", append(append([]byte{}, good...), []byte("{}")...), "after the trace object"},
		{"array", []byte("[]"), "wanted"},
		{"wrong format", edit(t, func(m map[string]any) { m["format"] = "pcap" }), `"format"`},
		{"future version", edit(t, func(m map[string]any) { m["version"] = 7 }), "format version 7"},
		{"version as string", edit(t, func(m map[string]any) { m["version"] = "1" }), "version"},
		{"unknown field", edit(t, func(m map[string]any) { m["colour"] = "red" }), `unknown field "colour"`},
		{"missing actions", edit(t, func(m map[string]any) { delete(m, "actions") }), `"actions": missing`},
		{"missing property", edit(t, func(m map[string]any) { delete(m, "property") }), `"property": missing`},
		{"bad kind", edit(t, func(m map[string]any) { m["kind"] = "proof" }), `"kind"`},
		{"bad search", edit(t, func(m map[string]any) { m["search"] = "lucky" }), `"search"`},
		{"config field missing", edit(t, func(m map[string]any) { delete(m["config"].(map[string]any), "msl") }), "missing msl"},
		{"config field unknown", edit(t, func(m map[string]any) { m["config"].(map[string]any)["speed"] = 9 }), `unknown field "speed"`},
		{"config invalid", edit(t, func(m map[string]any) { m["config"].(map[string]any)["msl"] = 0 }), `"config"`},
		{"config enum", edit(t, func(m map[string]any) { m["config"].(map[string]any)["lifetime"] = "eternal" }), "eternal"},
		{"config close_mode unknown", edit(t, func(m map[string]any) { m["config"].(map[string]any)["close_mode"] = "bogus" }),
			`in "config": close_mode: unknown close mode "bogus"`},
		{"config fin_timeout out of range", edit(t, func(m map[string]any) { m["config"].(map[string]any)["fin_timeout"] = -1 }),
			"fin-timeout must be 0..240 ticks"},
		{"config later field does not excuse an original one", edit(t, func(m map[string]any) {
			c := m["config"].(map[string]any)
			delete(c, "close_mode")
			delete(c, "fin_timeout")
			delete(c, "tw_rst")
		}), "missing tw_rst"},
		{"states count", edit(t, func(m map[string]any) { m["states"] = []any{"x"} }), `"states"`},
		{"actions not strings", edit(t, func(m map[string]any) { m["actions"] = []any{1, 2} }), "actions"},
		{"oversized", append([]byte(`{"format":"`), bytes.Repeat([]byte("x"), traces.MaxFileBytes)...), "larger than 16 MiB"},
		{"too many steps", edit(t, func(m map[string]any) {
			a := make([]any, traces.MaxSteps+1)
			for i := range a {
				a[i] = "tick"
			}
			m["actions"], m["states"], m["labels"] = a, []any{}, []any{}
		}), "more than"},
		{"huge line", edit(t, func(m map[string]any) { m["init"] = strings.Repeat("A", 5000) }), `"init[0]"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := traces.Decode(bytes.NewReader(c.data))
			require.Error(t, err)
			var de *traces.DecodeError
			require.ErrorAs(t, err, &de)
			require.Contains(t, err.Error(), c.want)
			require.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}

// TestDecodeConfigAddedFields: close_mode and fin_timeout were added within
// version 1, so a file written before them (without either) still decodes
// and means the RFC 9293 behaviour, and replays as it did; a file that gives
// them is read as given.
func TestDecodeConfigAddedFields(t *testing.T) {
	old := edit(t, func(m map[string]any) {
		c := m["config"].(map[string]any)
		delete(c, "close_mode")
		delete(c, "fin_timeout")
	})
	require.NotContains(t, string(old), "close_mode")
	require.NotContains(t, string(old), "fin_timeout")
	tr, err := traces.Decode(bytes.NewReader(old))
	require.NoError(t, err)
	require.Equal(t, model.CloseFIN, tr.Config.CloseMode)
	require.Equal(t, 0, tr.Config.FinTimeout)
	cur, err := traces.Decode(bytes.NewReader(goldenBytes(t)))
	require.NoError(t, err)
	require.Equal(t, cur.Config, tr.Config, "absent means the default")
	_, rc, err := traces.Verify(tr)
	require.NoError(t, err)
	require.True(t, rc.Shows(), "the old file still shows its violation")

	given, err := traces.Decode(bytes.NewReader(edit(t, func(m map[string]any) {
		m["config"].(map[string]any)["close_mode"] = "abort"
		m["config"].(map[string]any)["fin_timeout"] = 3
	})))
	require.NoError(t, err)
	require.Equal(t, model.CloseAbort, given.Config.CloseMode)
	require.Equal(t, 3, given.Config.FinTimeout)
}

// TestDecodeThenReplayErrors: files that decode but do not replay say the
// step and why.
func TestDecodeThenReplayErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(m map[string]any)
		want string
	}{
		{"unknown property", func(m map[string]any) { m["property"] = "no-such" }, "unknown property"},
		{"kind mismatch", func(m map[string]any) { m["kind"] = "witness" }, "kind"},
		{"unknown variant", func(m map[string]any) { m["variant"] = "bsd" }, "unknown variant"},
		{"edited action", func(m map[string]any) { m["actions"].([]any)[0] = "close B" }, "step 1"},
		{"edited state", func(m map[string]any) { m["states"].([]any)[3] = "elsewhere" }, "step 4"},
		{"edited label", func(m map[string]any) { m["labels"].([]any)[5] = "something else" }, "step 6"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, err := traces.Decode(bytes.NewReader(edit(t, c.f)))
			require.NoError(t, err)
			_, _, err = traces.Verify(tr)
			var re *traces.ReplayError
			require.ErrorAs(t, err, &re)
			require.Contains(t, err.Error(), c.want)
		})
	}
}

// TestVerifyNoLongerViolates: a counterexample cut short replays but no
// longer violates.
func TestVerifyNoLongerViolates(t *testing.T) {
	tr, err := traces.Decode(bytes.NewReader(goldenBytes(t)))
	require.NoError(t, err)
	n := len(tr.Actions) - 1
	tr.Actions, tr.States, tr.Labels = tr.Actions[:n], tr.States[:n], tr.Labels[:n]
	r, rc, err := traces.Verify(tr)
	require.NoError(t, err)
	require.Len(t, r.Steps, n)
	require.False(t, rc.Shows())
	require.Equal(t, -1, rc.At)
}
