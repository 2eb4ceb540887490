package traces_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/verify"
)

// witnessTrace returns the shortest witness of retransmitted-fin-in-time-wait
// at MSL = 1, as a replayed trace.
func witnessTrace(t *testing.T) (traces.Trace, traces.Replayed) {
	t.Helper()
	cfg := model.DefaultConfig()
	cfg.MSL, cfg.TW = 1, 2
	p, _ := properties.ByID("retransmitted-fin-in-time-wait")
	rep, err := verify.Check(context.Background(), cfg, []properties.Property{p}, verify.Options{StopEarly: true})
	require.NoError(t, err)
	o, _ := rep.Outcome(p.ID)
	require.NotNil(t, o.Path)
	tr, r, err := traces.FromPath(rep.Config, p, traces.SearchShortest, o.Path)
	require.NoError(t, err)
	return tr, r
}

func TestReplayRoundTrip(t *testing.T) {
	tr, r := witnessTrace(t)
	require.Equal(t, traces.Version, tr.Version)
	require.Len(t, r.Steps, len(tr.Actions))
	data, err := json.Marshal(tr)
	require.NoError(t, err)
	var back traces.Trace
	require.NoError(t, json.Unmarshal(data, &back))
	again, err := traces.Replay(back)
	require.NoError(t, err)
	require.Equal(t, r, again)
	data2, err := json.Marshal(back)
	require.NoError(t, err)
	require.Equal(t, string(data), string(data2), "encode(decode(encode(t))) is byte-identical")
}

func TestReplayErrors(t *testing.T) {
	tr, _ := witnessTrace(t)
	for _, c := range []struct {
		name string
		edit func(*traces.Trace)
		want string
	}{
		{"unknown version", func(t *traces.Trace) { t.Version = 99 }, "format version 99"},
		{"bad configuration", func(t *traces.Trace) { t.Config.MSL = 0 }, "msl"},
		{"unparsable action", func(t *traces.Trace) { t.Actions[2] = "fly away" }, "step 3"},
		{"action not enabled", func(t *traces.Trace) { t.Actions[0] = "close B" }, "step 1"},
		{"recorded state differs", func(t *traces.Trace) { t.States[1] = "elsewhere" }, "step 2"},
		{"initial state differs", func(t *traces.Trace) { t.Init = "nowhere" }, "initial state"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := tr
			bad.Actions = append([]string(nil), tr.Actions...)
			bad.States = append([]string(nil), tr.States...)
			c.edit(&bad)
			_, err := traces.Replay(bad)
			require.ErrorContains(t, err, c.want)
			var re *traces.ReplayError
			require.ErrorAs(t, err, &re)
		})
	}
}

func TestTimeline(t *testing.T) {
	_, r := witnessTrace(t)
	var b bytes.Buffer
	require.NoError(t, traces.WriteTimeline(&b, r))
	out := b.String()
	require.Contains(t, out, "TIME-WAIT × FIN")
	require.Contains(t, out, "time passes")
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		require.True(t, strings.HasPrefix(line, "  "), "every line is indented: %q", line)
	}
	var b2 bytes.Buffer
	require.NoError(t, traces.WriteTimeline(&b2, r))
	require.Equal(t, out, b2.String(), "deterministic")
}
