package verify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// genSymmetric draws a small symmetric configuration: no data, one
// incarnation, either side may close; the timers, budgets, conventions,
// timestamps (with the TIME-WAIT SYN rules, tcp_tw_reuse and the timestamp
// cache, which one incarnation never reaches), a larger sequence space and
// window, the Linux rules and the mutants vary. MSL is at most maxMSL.
func genSymmetric(t *rapid.T, maxMSL int) model.Config {
	c := model.DefaultConfig()
	c.NoData, c.Incarnations, c.CloseOrder = true, 1, model.AnyFirst
	c.MSL = rapid.IntRange(1, maxMSL).Draw(t, "msl")
	c.TW = rapid.IntRange(0, 4*c.MSL+1).Draw(t, "tw")
	// MSL 2 with the largest budgets has millions of states: the budgets
	// shrink there, to keep the full tier's share of these tests small.
	big := c.MSL > 1
	c.Loss = rapid.IntRange(0, 2-boolInt(big)).Draw(t, "loss")
	c.Dup = rapid.IntRange(0, 1).Draw(t, "dup")
	c.Retries = rapid.IntRange(0, 3-boolInt(big)).Draw(t, "retries")
	drawConventions(t, &c)
	if !big {
		// An RTO below MSL fills the network with retransmissions: at
		// MSL 2 that is tens of millions of states.
		c.RTO = rapid.IntRange(0, 2).Draw(t, "rto")
		c.Backoff = rapid.IntRange(1, 2).Draw(t, "backoff")
	}
	switch rapid.IntRange(0, 5).Draw(t, "faithful") {
	case 0:
		c.Timestamps = true
		c.TWRules = model.TWRules(rapid.IntRange(0, 1).Draw(t, "tw-rules"))
		c.TWSyn = model.TWSyn(rapid.IntRange(0, 3).Draw(t, "tw-syn"))
	case 1:
		c.Timestamps, c.TWReuse, c.TSCache = true, 1, rapid.Bool().Draw(t, "ts-cache")
	case 2:
		c.SeqSpace, c.Window = 16, rapid.IntRange(0, 4).Draw(t, "window")
	}
	return c
}

// drawConventions draws the conventions (lifetime, same instant, the
// TIME-WAIT rules, retransmission), the FIN-WAIT-2 timer and the mutant.
func drawConventions(t *rapid.T, c *model.Config) {
	c.Lifetime = model.Lifetime(rapid.IntRange(0, 1).Draw(t, "lifetime"))
	c.SameInstant = model.SameInstant(rapid.IntRange(0, 1).Draw(t, "same-instant"))
	c.TWRestart = model.TWRestart(rapid.IntRange(0, 1).Draw(t, "tw-restart"))
	c.TWRst = model.TWRst(rapid.IntRange(0, 1).Draw(t, "tw-rst"))
	c.Rtx = model.RtxRule(rapid.IntRange(0, 1).Draw(t, "rtx"))
	c.FinTimeout = rapid.SampledFrom([]int{0, 0, 1, 3}).Draw(t, "fin-timeout")
	c.Mutant = model.Mutant(rapid.IntRange(0, len(model.Mutants())).Draw(t, "mutant"))
}

// requireRun checks that p is a run of cfg's model from its initial state:
// every step is one of the model's transitions, label included.
func requireRun(t require.TestingT, cfg model.Config, p *Path) {
	m, err := model.New(cfg)
	require.NoError(t, err)
	require.Equal(t, m.Init()[0], p.Init)
	cur := p.Init
	for i, st := range p.Steps {
		ok := false
		m.Successors(cur, func(l model.Label, n model.State) { ok = ok || l == st.Label && n == st.State })
		require.True(t, ok, "step %d (%s) is not a transition of the model", i+1, st.Label)
		cur = st.State
	}
}

// requireSameOutcomes checks a reduced search's report against the whole
// search's: the same properties in order, the same verdicts, and for each
// counterexample or witness one of the same length that is a run of the
// reduced report's model and ends as its property requires.
func requireSameOutcomes(t require.TestingT, full, red Report) {
	require.Len(t, red.Outcomes, len(full.Outcomes))
	for i, o := range red.Outcomes {
		want := full.Outcomes[i]
		require.Equal(t, want.Property.ID, o.Property.ID)
		require.Equal(t, want.Verdict, o.Verdict, o.Property.ID)
		if want.Path == nil {
			require.Nil(t, o.Path)
			continue
		}
		require.Equal(t, want.Path.Len(), o.Path.Len(), "%s: not a shortest path", o.Property.ID)
		requireRun(t, red.Config, o.Path)
		last := o.Path.Steps[o.Path.Len()-1]
		from := o.Path.Init
		if o.Path.Len() > 1 {
			from = o.Path.Steps[o.Path.Len()-2].State
		}
		p := o.Property
		ends := p.Step != nil && p.Step(from, last.Label, last.State) == (p.Kind == properties.Sometimes) ||
			p.State != nil && p.State(last.State) == (p.Kind == properties.Sometimes)
		require.True(t, ends, "%s: the path does not end at a violation or witness", p.ID)
	}
}

// relational returns symmetric properties whose step predicates relate the
// target to the label: the receiver of a delivery enters TIME-WAIT (a
// witness), a delivery leaves its sender as it was (always true). They
// tell the target the model emitted from its representative, which the
// catalogue's predicates, reading only the source and the label, do not.
func relational() []properties.Property {
	return []properties.Property{
		{ID: "delivery-enters-time-wait", Kind: properties.Sometimes, Symmetric: true,
			Step: func(from model.State, l model.Label, to model.State) bool {
				dst := l.Action.Seg.Src.Peer()
				return l.Action.Kind == model.ActDeliver && from.Ends[dst].St != model.TimeWait && to.Ends[dst].St == model.TimeWait
			}},
		{ID: "delivery-leaves-sender", Kind: properties.Always, Symmetric: true,
			Step: func(from model.State, l model.Label, to model.State) bool {
				src := l.Action.Seg.Src
				return l.Action.Kind != model.ActDeliver || from.Ends[src] == to.Ends[src]
			}},
	}
}

// TestSymmetryMatchesUnreduced is the reduction's acceptance test: on
// random symmetric configurations, the reduced search (the default) and
// the whole one (NoSymmetry) give the same verdict for every property and
// witness, counterexamples and witnesses of the same shortest length, each
// a run of the model that ends as its property requires; the reduced one
// stores at least half as many states and no more, and gives the same
// paths on one and two workers, with each store and with levels packed
// from the first.
func TestSymmetryMatchesUnreduced(t *testing.T) {
	maxMSL := 2
	if testing.Short() {
		maxMSL = 1
	}
	rapid.Check(t, func(t *rapid.T) {
		cfg := genSymmetric(t, maxMSL)
		props := append(properties.Safety(), relational()...)
		full, err := Check(context.Background(), cfg, props, Options{NoSymmetry: true, Workers: 1})
		require.NoError(t, err)
		require.False(t, full.Symmetry)
		var first *Report
		stores := []checker.StoreMode{checker.StoreAuto, checker.StoreFingerprint, checker.StoreExact}
		if cfg.MSL > 1 {
			stores = stores[:2] // the exact store is the slow one
		}
		store := rapid.SampledFrom(stores).Draw(t, "store")
		pack := rapid.SampledFrom([]int{0, 1}).Draw(t, "pack-level")
		for _, workers := range []int{1, 2} {
			red, err := Check(context.Background(), cfg, props, Options{Workers: workers, Store: store, PackLevel: pack})
			require.NoError(t, err)
			require.True(t, red.Symmetry)
			require.True(t, red.Complete)
			require.LessOrEqual(t, red.States, full.States)
			require.GreaterOrEqual(t, 2*red.States, full.States, "more than a factor of two")
			require.Equal(t, full.Depth, red.Depth, "a state and its mirror are at the same depth")
			requireSameOutcomes(t, full, red)
			if first == nil {
				first = &red
				continue
			}
			require.Equal(t, first.States, red.States)
			for i := range red.Outcomes {
				require.Equal(t, first.Outcomes[i].Path, red.Outcomes[i].Path)
			}
		}
	})
}

// TestSymmetryOnlyWhenSound: the reduction is used only for a symmetric
// configuration, symmetric properties and no coverage.
func TestSymmetryOnlyWhenSound(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.NoData, cfg.Incarnations, cfg.CloseOrder = true, 1, model.AnyFirst
	props := properties.Safety()
	ctx := context.Background()
	rep, err := Check(ctx, cfg, props, Options{})
	require.NoError(t, err)
	require.True(t, rep.Symmetry)

	asym := cfg
	asym.CloseOrder = model.AFirst
	rep, err = Check(ctx, asym, props, Options{})
	require.NoError(t, err)
	require.False(t, rep.Symmetry, "a-first is not symmetric")

	rep, err = Check(ctx, cfg, props, Options{Coverage: NewCoverage()})
	require.NoError(t, err)
	require.False(t, rep.Symmetry, "coverage counts every transition")

	sided := properties.Property{ID: "a-never-in-time-wait", Kind: properties.Always,
		State: func(s model.State) bool { return s.Ends[model.A].St != model.TimeWait }}
	rep, err = Check(ctx, cfg, []properties.Property{sided}, Options{})
	require.NoError(t, err)
	require.False(t, rep.Symmetry, "a property that is not declared symmetric")
	o, _ := rep.Outcome(sided.ID)
	require.Equal(t, checker.Violated, o.Verdict)

	// Declared symmetric when it is not. A reduced search may then give a
	// wrong answer, which is why the catalogue's claims are tested
	// (properties.TestCatalogueIsSymmetric). Here each side can enter
	// TIME-WAIT, so the truth is "violated" for both. The reduced search
	// finds A's, with a run that ends with A in TIME-WAIT; for B's, the
	// representative it meets has B in TIME-WAIT but the run it turns back
	// into ends with A there, and the check of the run's end refuses it
	// rather than print a counterexample that is not one.
	never := func(side model.Side) properties.Property {
		return properties.Property{ID: "never-in-time-wait", Kind: properties.Always, Symmetric: true,
			State: func(s model.State) bool { return s.Ends[side].St != model.TimeWait }}
	}
	rep, err = Check(ctx, cfg, []properties.Property{never(model.A)}, Options{})
	require.NoError(t, err)
	o, _ = rep.Outcome("never-in-time-wait")
	require.Equal(t, checker.Violated, o.Verdict)
	require.Equal(t, model.TimeWait, o.Path.Last().Ends[model.A].St)
	_, err = Check(ctx, cfg, []properties.Property{never(model.B)}, Options{})
	require.ErrorIs(t, err, checker.ErrNotSymmetry)
}

// TestSymmetricSweep: a sweep of a symmetric configuration reduces both its
// shared TW search and its plain searches, so the shared and the unshared
// sweeps still give identical rows; against the whole search (NoSymmetry)
// the verdicts, thresholds and counterexample lengths are the same and
// every row that holds counts at most as many states, and at least half.
// The shared search must decide some rows, or the comparison shows nothing.
func TestSymmetricSweep(t *testing.T) {
	sharedRows := 0
	rapid.Check(t, func(t *rapid.T) {
		cfg := genSymmetric(t, 1)
		tws := rapid.SliceOfNDistinct(rapid.IntRange(0, 5), 1, 6, rapid.ID[int]).Draw(t, "tws")
		spec := SweepSpec{Base: cfg, MSL: []int{1}, TW: tws, Props: properties.Safety(),
			AllTW: rapid.Bool().Draw(t, "all-tw"), Opts: Options{AllowDeadlock: true}}
		shared := sweepBoth(t, spec)
		red, err := Sweep(context.Background(), spec, nil)
		require.NoError(t, err)
		spec.Opts.NoSymmetry = true
		full, err := Sweep(context.Background(), spec, nil)
		require.NoError(t, err)
		require.Len(t, red.Rows, len(full.Rows))
		for i, r := range red.Rows {
			w := full.Rows[i]
			require.True(t, r.Symmetry)
			require.False(t, w.Symmetry)
			require.Equal(t, [3]any{w.TW, w.Property, w.Verdict}, [3]any{r.TW, r.Property, r.Verdict})
			if r.Verdict == checker.Holds {
				// Complete searches: the quotient's size. (A violated
				// row's count is where its search stopped, which depends
				// on the order in which each search meets the level.)
				require.LessOrEqual(t, r.States, w.States)
				require.GreaterOrEqual(t, 2*r.States, w.States)
			}
			if w.Path != nil {
				require.Equal(t, w.Path.Len(), r.Path.Len())
				requireRun(t, r.Config, r.Path)
			}
		}
		for i, th := range red.Thresholds {
			w := full.Thresholds[i]
			require.Equal(t, w.MinTW, th.MinTW)
			require.Equal(t, w.Reason, th.Reason)
			require.Equal(t, w.Counterexample == nil, th.Counterexample == nil)
		}
		sharedRows += shared
	})
	require.Positive(t, sharedRows, "the shared search decided no row: the comparison shows nothing")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
