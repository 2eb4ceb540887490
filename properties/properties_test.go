package properties_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/verify"
)

// threshold is each safety property's smallest safe TIME-WAIT in the
// default configuration, as a multiple of MSL (docs/model.md).
var threshold = map[string]int{
	"no-rst-on-retransmitted-fin": 2,
	"no-stale-segment-accepted":   2,
	"no-stale-reset":              3,
}

// check explores cfg until p is decided and returns the resolved
// configuration with p's outcome.
func check(t *testing.T, cfg model.Config, p properties.Property) (model.Config, verify.Outcome) {
	t.Helper()
	rep, err := verify.Check(context.Background(), cfg, []properties.Property{p}, verify.Options{StopEarly: true, NoWitnesses: true})
	require.NoError(t, err)
	o, ok := rep.Outcome(p.ID)
	require.True(t, ok)
	return rep.Config, o
}

// TestCatalogue: stable IDs, every safety property has a witness that exists
// and a mutant, every field is filled.
func TestCatalogue(t *testing.T) {
	require.Equal(t, []string{
		"no-rst-on-retransmitted-fin", "no-stale-segment-accepted", "no-stale-reset",
		"retransmitted-fin-in-time-wait", "stale-segment-rejected", "orphan-reset-delivered",
	}, properties.IDs())
	for _, p := range properties.All() {
		require.NotEmpty(t, p.Title, p.ID)
		require.NotEmpty(t, p.Ref, p.ID)
		require.NotEmpty(t, p.Doc, p.ID)
		require.NotNil(t, p.Step, p.ID)
		if p.Kind == properties.Always {
			w, ok := properties.ByID(p.Witness)
			require.True(t, ok, "%s: witness %q", p.ID, p.Witness)
			require.Equal(t, properties.Sometimes, w.Kind)
			require.NotEqual(t, model.NoMutant, p.Mutant, p.ID)
			require.GreaterOrEqual(t, p.Hops, 1, p.ID)
		}
	}
	_, err := properties.Lookup([]string{"no-such-property"})
	require.ErrorContains(t, err, "no-such-property")
}

// TestThresholdsMSL1 checks every safety property at MSL = 1 tick: it holds
// (completely) at its threshold with its witness reachable, it is violated one
// tick below with a shortest counterexample that replays, and its mutant
// breaks it at the threshold through the mutated rule.
func TestThresholdsMSL1(t *testing.T) {
	for _, p := range properties.Safety() {
		t.Run(p.ID, func(t *testing.T) {
			cfg := model.DefaultConfig()
			cfg.MSL, cfg.TW = 1, threshold[p.ID]

			rep, err := verify.Check(context.Background(), cfg, []properties.Property{p}, verify.Options{})
			require.NoError(t, err)
			require.True(t, rep.Complete)
			o, _ := rep.Outcome(p.ID)
			require.Equal(t, checker.Holds, o.Verdict)
			require.True(t, o.Holds)
			w, _ := rep.Outcome(p.Witness)
			require.Equal(t, checker.Found, w.Verdict, "witness %s must be reachable", p.Witness)
			_, _, err = traces.FromPath(rep.Config, w.Property, traces.SearchShortest, w.Path)
			require.NoError(t, err)

			mut := cfg
			mut.Mutant = p.Mutant
			_, mo := check(t, mut, p)
			require.Equal(t, checker.Violated, mo.Verdict, "mutant %s must break %s", p.Mutant, p.ID)
			throughMutant := false
			for _, st := range mo.Path.Steps {
				throughMutant = throughMutant || st.Label.Mutant
			}
			require.True(t, throughMutant, "the violating trace must go through the mutated rule")

			if testing.Short() {
				t.Skip("-short: the violation one tick below the threshold is checked in the full suite")
			}
			below := cfg
			below.TW--
			resolved, bo := check(t, below, p)
			require.Equal(t, checker.Violated, bo.Verdict)
			tr, r, err := traces.FromPath(resolved, p, traces.SearchShortest, bo.Path)
			require.NoError(t, err, "the counterexample must replay")
			require.Len(t, r.Steps, len(tr.Actions))
			last := r.Steps[len(r.Steps)-1]
			prev := bo.Path.Init
			if len(r.Steps) > 1 {
				prev = r.Steps[len(r.Steps)-2].State
			}
			require.False(t, p.Step(prev, last.Label, last.State), "the last step must be the violation")
		})
	}
}
