package verify

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// genFaults draws a small configuration of any shape for the fault-timing
// test: the budgets (up to two drops and two duplications), up to three
// incarnations, every close order and close mode, the conventions, data
// left unacknowledged, the FIN-WAIT-2 timer, the mutants, and the
// sequence-faithful options whose canonical forms read the network
// (timestamps, the ISN clock, a larger space), at MSL 1. At least one
// fault is allowed. small (for -short) allows one drop, one duplication,
// two incarnations and one retransmission at most.
func genFaults(t *rapid.T, small bool) model.Config {
	c := model.DefaultConfig()
	c.MSL = 1
	c.TW = rapid.IntRange(0, 4*c.MSL+1).Draw(t, "tw")
	c.Loss = rapid.IntRange(0, 2-boolInt(small)).Draw(t, "loss")
	c.Dup = rapid.IntRange(1-min(c.Loss, 1), 2-boolInt(small)).Draw(t, "dup")
	// Three incarnations with three or four faults have millions of states.
	c.Incarnations = rapid.IntRange(1, 3-boolInt(small || c.Loss+c.Dup > 2)).Draw(t, "incarnations")
	c.Retries = rapid.IntRange(0, 3-2*boolInt(small)).Draw(t, "retries")
	c.CloseOrder = model.CloseOrder(rapid.IntRange(0, 3).Draw(t, "close-order"))
	c.CloseMode = model.CloseMode(rapid.IntRange(0, 1).Draw(t, "close-mode"))
	c.DataUnacked = rapid.Bool().Draw(t, "data-unacked")
	drawConventions(t, &c)
	switch rapid.IntRange(0, 5).Draw(t, "faithful") {
	case 0:
		c.Timestamps = true
		c.TWRules = model.TWRules(rapid.IntRange(0, 1).Draw(t, "tw-rules"))
		c.TWSyn = model.TWSyn(rapid.IntRange(0, 3).Draw(t, "tw-syn"))
	case 1:
		c.Timestamps, c.TWReuse, c.TSCache = true, 1, rapid.Bool().Draw(t, "ts-cache")
	case 2:
		c.SeqSpace, c.ISNClock = 16, rapid.IntRange(1, 3).Draw(t, "isn-clock")
	}
	// The two searches are compared with each other, so the grid need not
	// be exact for no-stale-reset (3 under a strict lifetime): 2 keeps
	// copies aging in sub-ticks with far fewer states. An ISN clock needs
	// at least its own rate.
	c.Grid = max(2, c.ISNClock)
	return c
}

// TestEarlyFaultsMatchLate is the acceptance test of the model's fault
// timing (model.Config.LateFaults, docs/model.md "Fault timing"): on random
// configurations, the default search, which offers drops and duplications
// only at age 0, and the unreduced one give the same verdict for every
// property and witness and counterexamples and witnesses of the same
// shortest length, each a run of the reduced model that ends as its
// property requires; the reduced search stores no more states, takes no
// more transitions, and reports the same model error, if any.
func TestEarlyFaultsMatchLate(t *testing.T) {
	maxStates := 500_000
	if testing.Short() {
		maxStates = 300_000
	}
	fewer, skipped, errs := 0, 0, 0
	defer func() {
		t.Logf("%d configurations had fewer transitions reduced; %d ended in the same model error; %d skipped at the state bound", fewer, errs, skipped)
	}()
	rapid.Check(t, func(t *rapid.T) {
		cfg := genFaults(t, testing.Short())
		props := append(properties.Safety(), relational()...)
		late := cfg
		late.LateFaults = true
		opts := Options{Workers: 1, MaxStates: maxStates, AllowDeadlock: rapid.Bool().Draw(t, "allow-deadlock")}
		red, errRed := Check(context.Background(), cfg, props, opts)
		if errRed == nil && !red.Complete {
			skipped++
			t.Skip("the reduced search hit the state bound")
		}
		opts.MaxStates *= 2 // a rotated twin can add states (docs/model.md, "Fault timing")
		full, errFull := Check(context.Background(), late, props, opts)
		var meFull, meRed *ModelError
		if errors.As(errFull, &meFull) || errors.As(errRed, &meRed) {
			require.True(t, errors.As(errFull, &meFull) && errors.As(errRed, &meRed), "a model error in one search only: %v / %v", errFull, errRed)
			require.Equal(t, meFull.What, meRed.What)
			errs++
			return
		}
		require.NoError(t, errFull)
		require.NoError(t, errRed)
		require.True(t, full.Complete, "the unreduced search has over twice the reduced one's states")
		require.LessOrEqual(t, red.States, full.States)
		require.LessOrEqual(t, red.Transitions, full.Transitions)
		if red.Transitions < full.Transitions {
			fewer++
		}
		requireSameOutcomes(t, full, red)
	})
	require.Positive(t, fewer, "no configuration had fewer transitions reduced")
}
