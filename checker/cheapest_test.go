package checker_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/timewait/timewait/checker"
)

type costLen struct{ cost, length int }

func (a costLen) less(b costLen) bool {
	return a.cost < b.cost || (a.cost == b.cost && a.length < b.length)
}

// cheapestRef computes, by relaxing every edge until nothing changes, the
// least (cost, length) to reach tr's target, or ok=false.
func cheapestRef(g graph[int], tr trigger) (costLen, bool) {
	best := map[int]costLen{}
	for _, s := range g.Inits {
		best[s] = costLen{}
	}
	for changed := true; changed; {
		changed = false
		for u := range g.Adj {
			bu, ok := best[u]
			if !ok {
				continue
			}
			for _, e := range g.Adj[u] {
				c := costLen{bu.cost + e.Label, bu.length + 1}
				if b, ok := best[e.To]; !ok || c.less(b) {
					best[e.To] = c
					changed = true
				}
			}
		}
	}
	var out costLen
	found := false
	upd := func(p costLen) {
		if !found || p.less(out) {
			out, found = p, true
		}
	}
	for u, bu := range best {
		if tr.state != nil && tr.state(u) {
			upd(bu)
		}
		for _, e := range g.Adj[u] {
			if tr.step != nil && tr.step(u, e) {
				upd(costLen{bu.cost + e.Label, bu.length + 1})
			}
		}
	}
	return out, found
}

// TestCheapestDifferential compares Cheapest with the relaxation reference on
// random graphs whose edge labels are their costs.
func TestCheapestDifferential(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := drawGraph(t)
		for _, tr := range drawTriggers(t, len(g.Adj)) {
			res, err := checker.Cheapest[int, int](context.Background(), g, tr.property(),
				func(_ int, l int, _ int) int { return l }, checker.Options{})
			require.NoError(t, err)
			require.True(t, res.Complete)
			want, ok := cheapestRef(g, tr)
			if !ok {
				require.Nil(t, res.Path, tr.name)
				continue
			}
			require.NotNil(t, res.Path, tr.name)
			requireReplayable[int, int](t, g, res.Path)
			cost := 0
			for _, st := range res.Path.Steps {
				cost += st.Label
			}
			require.Equal(t, res.Cost, cost, tr.name)
			require.Equal(t, want, costLen{cost, res.Path.Len()}, tr.name)
		}
	})
}

// weakHashedGraph is a graph whose states hash to one of five values, so
// that Cheapest keeps them in its exact table with many equal tags.
type weakHashedGraph struct{ graph[int] }

func (w weakHashedGraph) Hash(s int) uint64 { return uint64(s%5) << 40 }

// TestCheapestStoresAgree: Cheapest keeps a model's states in its exact
// table when the model hashes them, in a Go map otherwise; the results
// (path, cost, states, completeness under a state bound) must be the same.
func TestCheapestStoresAgree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := drawGraph(t)
		opts := checker.Options{MaxStates: rapid.SampledFrom([]int{0, 1, 3, 10}).Draw(t, "maxStates")}
		cost := func(_ int, l int, _ int) int { return l }
		for _, tr := range drawTriggers(t, len(g.Adj)) {
			ref, err := checker.Cheapest[int, int](context.Background(), g, tr.property(), cost, opts)
			require.NoError(t, err)
			got, err := checker.Cheapest[int, int](context.Background(), weakHashedGraph{g}, tr.property(), cost, opts)
			require.NoError(t, err)
			require.Equal(t, ref, got, tr.name)
		}
	})
}

// TestCheapestPrefersFewerFaults: a short expensive route loses to a long
// free one, and among equally cheap routes the shorter wins.
func TestCheapestPrefersFewerFaults(t *testing.T) {
	// 0 -5-> 9 (target); 0 -0-> 1 -0-> 2 -0-> 9; 0 -0-> 3 -0-> 4 -0-> 5 -0-> 9.
	g := graph[int]{Inits: []int{0}, Adj: make([][]edge[int], 10)}
	g.Adj[0] = []edge[int]{{5, 9}, {0, 3}, {0, 1}}
	g.Adj[1] = []edge[int]{{0, 2}}
	g.Adj[2] = []edge[int]{{0, 9}}
	g.Adj[3] = []edge[int]{{0, 4}}
	g.Adj[4] = []edge[int]{{0, 5}}
	g.Adj[5] = []edge[int]{{0, 9}}
	p := checker.Property[int, int]{Name: "no-9", Kind: checker.Always, State: func(s int) bool { return s != 9 }}
	res, err := checker.Cheapest[int, int](context.Background(), g, p, func(_ int, l int, _ int) int { return l }, checker.Options{})
	require.NoError(t, err)
	require.Equal(t, 0, res.Cost)
	require.Equal(t, 3, res.Path.Len())
	require.Equal(t, 2, res.Path.Steps[1].State, "via 1, 2: the shorter free route")

	res, err = checker.Cheapest[int, int](context.Background(), g, p, func(_ int, l int, _ int) int { return l }, checker.Options{MaxStates: 2})
	require.NoError(t, err)
	require.False(t, res.Complete)
	require.Equal(t, "max-states", res.StopReason)

	_, err = checker.Cheapest[int, int](context.Background(), g, p, func(_ int, l int, _ int) int { return -1 }, checker.Options{})
	require.ErrorContains(t, err, "negative cost")
}
