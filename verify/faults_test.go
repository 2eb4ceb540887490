package verify_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/verify"
)

// TestFewestFaultsAgreesWithTraces: the search's cost is the fault count
// traces.Faults reports for the run it returns (send order included), it is
// never more than the shortest counterexample's, and the run is never
// shorter than the shortest.
func TestFewestFaultsAgreesWithTraces(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.MSL, cfg.TW = 1, 1
	for _, p := range properties.Safety() {
		t.Run(p.ID, func(t *testing.T) {
			fs, err := verify.FewestFaults(context.Background(), cfg, p, 0)
			require.NoError(t, err)
			require.True(t, fs.Complete)
			require.NotNil(t, fs.Path)
			_, r, err := traces.FromPath(fs.Config, p, traces.SearchFewestFaults, fs.Path)
			require.NoError(t, err)
			require.Equal(t, fs.Faults, traces.Faults(r).Total, "the search and the report count the same faults")
			require.Equal(t, len(r.Steps), traces.Evaluate(r, p), "violated first at the last step")

			rep, err := verify.Check(context.Background(), fs.Config, []properties.Property{p}, verify.Options{StopEarly: true, NoWitnesses: true})
			require.NoError(t, err)
			o, _ := rep.Outcome(p.ID)
			_, short, err := traces.FromPath(rep.Config, p, traces.SearchShortest, o.Path)
			require.NoError(t, err)
			require.LessOrEqual(t, fs.Faults, traces.Faults(short).Total)
			require.GreaterOrEqual(t, len(r.Steps), len(short.Steps))
		})
	}
}

// TestSameInstantReorderingIsAFault: a stale RST can only reset the new
// incarnation if the new SYN overtakes it, even when both were sent in the
// same sub-tick; the fewest-faults counterexample to no-stale-reset must
// therefore report at least one reordering.
func TestSameInstantReorderingIsAFault(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.MSL, cfg.TW = 1, 1
	p, _ := properties.ByID("no-stale-reset")
	fs, err := verify.FewestFaults(context.Background(), cfg, p, 0)
	require.NoError(t, err)
	_, r, err := traces.FromPath(fs.Config, p, traces.SearchFewestFaults, fs.Path)
	require.NoError(t, err)
	require.Positive(t, traces.Faults(r).Reorderings, traces.Faults(r).Summary)
}
