package traces_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/verify"
)

// goldenCases are the committed counterexamples: the default configuration
// at TW = 2·MSL−1 (MSL 1, TW 1), every safety property, both searches.
func goldenCases() []struct{ property, search string } {
	var out []struct{ property, search string }
	for _, p := range properties.Safety() {
		for _, s := range []string{traces.SearchShortest, traces.SearchFewestFaults} {
			out = append(out, struct{ property, search string }{p.ID, s})
		}
	}
	return out
}

func goldenPath(property, search string) string {
	return filepath.Join("testdata", "golden", property+"."+search+".json")
}

// goldenCounterexample model-checks the default configuration at MSL 1, TW 1 and
// returns p's counterexample found by search (not regrouped).
func goldenCounterexample(t testing.TB, id, search string) (traces.Trace, traces.Replayed) {
	t.Helper()
	cfg := model.DefaultConfig()
	cfg.MSL, cfg.TW = 1, 1
	p, ok := properties.ByID(id)
	require.True(t, ok)
	rep, err := verify.Check(context.Background(), cfg, properties.Safety(), verify.Options{StopEarly: true, NoWitnesses: true})
	require.NoError(t, err)
	o, _ := rep.Outcome(id)
	require.NotNil(t, o.Path, "%s must be violated at TW = 2·MSL−1", id)
	path := o.Path
	if search == traces.SearchFewestFaults {
		fs, err := verify.FewestFaults(context.Background(), rep.Config, p, 0)
		require.NoError(t, err)
		require.NotNil(t, fs.Path)
		path = fs.Path
	}
	tr, r, err := traces.FromPath(rep.Config, p, search, path)
	require.NoError(t, err)
	return tr, r
}

// TestGoldenTraces: every committed trace file decodes, replays, still
// violates its property at its last step, and re-encodes byte for byte; it
// is also what the model finds today. Refresh with -update.
func TestGoldenTraces(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.property+"/"+c.search, func(t *testing.T) {
			file := goldenPath(c.property, c.search)
			if *update {
				tr, _ := goldenCounterexample(t, c.property, c.search)
				var b bytes.Buffer
				require.NoError(t, traces.Encode(&b, tr))
				require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
				require.NoError(t, os.WriteFile(file, b.Bytes(), 0o644))
			}
			data, err := os.ReadFile(file)
			require.NoError(t, err, "refresh with: go test ./traces -run TestGoldenTraces -update")
			tr, err := traces.Decode(bytes.NewReader(data))
			require.NoError(t, err)
			r, rc, err := traces.Verify(tr)
			require.NoError(t, err, "%s no longer replays; if the model change is intended: go test ./traces -run TestGoldenTraces -update", file)
			require.Equal(t, len(r.Steps), rc.At, "%s must violate %s at its last step", file, c.property)
			var b bytes.Buffer
			require.NoError(t, traces.Encode(&b, tr))
			require.Equal(t, string(data), b.String(), "encode(decode(file)) is the file")
			if !testing.Short() && !*update {
				fresh, _ := goldenCounterexample(t, c.property, c.search)
				require.Equal(t, fresh.Actions, tr.Actions, "the model now finds a different counterexample; refresh with -update")
			}
			require.Equal(t, c.search, tr.Search)
			if c.search == traces.SearchFewestFaults {
				short, err := traces.Decode(mustOpen(t, goldenPath(c.property, traces.SearchShortest)))
				require.NoError(t, err)
				require.LessOrEqual(t, tr.Faults.Total, short.Faults.Total, "fewest faults is never worse than shortest")
				require.GreaterOrEqual(t, len(tr.Actions), len(short.Actions), "shortest is never longer")
			}
		})
	}
}

func mustOpen(t *testing.T, file string) *bytes.Reader {
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	return bytes.NewReader(data)
}

// actorChanges counts adjacent steps whose actors differ.
func actorChanges(r traces.Replayed) int {
	n := 0
	for i := 1; i < len(r.Steps); i++ {
		if actorOf(r.Steps[i-1].Label) != actorOf(r.Steps[i].Label) {
			n++
		}
	}
	return n
}

func actorOf(l model.Label) string {
	switch l.Action.Kind {
	case model.ActDeliver:
		return l.Action.Seg.Src.Peer().String()
	case model.ActDrop, model.ActDuplicate:
		return "net"
	case model.ActTick:
		return "tick"
	}
	return l.Action.Side.String()
}

// TestReadableOnGoldens: regrouping every golden trace keeps its final state,
// its labels, its faults and the step of its violation, never adds actor
// changes, and replays.
func TestReadableOnGoldens(t *testing.T) {
	improved := 0
	for _, c := range goldenCases() {
		t.Run(c.property+"/"+c.search, func(t *testing.T) {
			tr, err := traces.Decode(mustOpen(t, goldenPath(c.property, c.search)))
			require.NoError(t, err)
			r, _, err := traces.Verify(tr)
			require.NoError(t, err)
			rr, err := traces.Readable(r)
			require.NoError(t, err)
			require.True(t, rr.Trace.Readable)
			require.Len(t, rr.Steps, len(r.Steps))
			require.Equal(t, r.Steps[len(r.Steps)-1].State, rr.Steps[len(rr.Steps)-1].State, "same final state")
			require.Equal(t, sortedLabels(r), sortedLabels(rr), "same labels")
			require.Equal(t, traces.Faults(r), traces.Faults(rr), "same faults")
			p, _ := properties.ByID(c.property)
			require.Equal(t, len(rr.Steps), traces.Evaluate(rr, p), "still violated first at the last step")
			require.LessOrEqual(t, actorChanges(rr), actorChanges(r))
			if actorChanges(rr) < actorChanges(r) {
				improved++
			}
			_, err = traces.Replay(rr.Trace)
			require.NoError(t, err)
			again, err := traces.Readable(rr)
			require.NoError(t, err)
			require.Equal(t, rr.Trace.Actions, again.Trace.Actions, "regrouping is idempotent")
		})
	}
	require.Positive(t, improved, "regrouping changed none of the goldens: it is not doing anything")
}

func sortedLabels(r traces.Replayed) []string {
	var out []string
	for _, st := range r.Steps {
		out = append(out, st.Label.String())
	}
	sort.Strings(out)
	return out
}
