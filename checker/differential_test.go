package checker_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/timewait/timewait/checker"
)

// trigger is a property in reference form: which states / edges decide it.
type trigger struct {
	name  string
	kind  checker.Kind
	state func(s int) bool                 // nil if none
	step  func(from int, e edge[int]) bool // nil if none
}

func (tr trigger) property() checker.Property[int, int] {
	p := checker.Property[int, int]{Name: tr.name, Kind: tr.kind}
	// A trigger is a violation for Always (predicate false) and a witness for
	// Sometimes (predicate true).
	neg := tr.kind == checker.Always
	if tr.state != nil {
		p.State = func(s int) bool { return tr.state(s) != neg }
	}
	if tr.step != nil {
		p.Step = func(f, l, to int) bool { return tr.step(f, edge[int]{l, to}) != neg }
	}
	return p
}

// reference is a naive explorer: DFS reachability plus BFS distances.
type reference struct {
	reach       map[int]bool
	dist        map[int]int
	transitions int
	deadlocks   int
	deadlockLen int // -1 if none
	depth       int
}

func explore(g graph[int]) reference {
	r := reference{reach: map[int]bool{}, dist: map[int]int{}, deadlockLen: -1}
	stack := append([]int(nil), g.Inits...)
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if r.reach[u] {
			continue
		}
		r.reach[u] = true
		for _, e := range g.Adj[u] {
			stack = append(stack, e.To)
		}
	}
	var frontier []int
	for _, s := range g.Inits {
		if _, ok := r.dist[s]; !ok {
			r.dist[s] = 0
			frontier = append(frontier, s)
		}
	}
	for len(frontier) > 0 {
		var next []int
		for _, u := range frontier {
			for _, e := range g.Adj[u] {
				if _, ok := r.dist[e.To]; !ok {
					r.dist[e.To] = r.dist[u] + 1
					next = append(next, e.To)
				}
			}
		}
		frontier = next
	}
	for u := range r.reach {
		r.transitions += len(g.Adj[u])
		r.depth = max(r.depth, r.dist[u])
		if len(g.Adj[u]) == 0 {
			r.deadlocks++
			if r.deadlockLen < 0 || r.dist[u] < r.deadlockLen {
				r.deadlockLen = r.dist[u]
			}
		}
	}
	return r
}

// shortest returns the shortest trigger length for tr, or -1.
func (r reference) shortest(g graph[int], tr trigger) int {
	best := -1
	upd := func(n int) {
		if best < 0 || n < best {
			best = n
		}
	}
	for u := range r.reach {
		if tr.state != nil && tr.state(u) {
			upd(r.dist[u])
		}
		for _, e := range g.Adj[u] {
			if tr.step != nil && tr.step(u, e) {
				upd(r.dist[u] + 1)
			}
		}
	}
	return best
}

func drawGraph(t *rapid.T) graph[int] {
	n := rapid.IntRange(1, 12).Draw(t, "n")
	node := rapid.IntRange(0, n-1)
	g := graph[int]{
		Inits: rapid.SliceOfN(node, 0, 3).Draw(t, "inits"),
		Adj:   make([][]edge[int], n),
	}
	for i := range g.Adj {
		deg := rapid.IntRange(0, 4).Draw(t, "deg")
		for range deg {
			g.Adj[i] = append(g.Adj[i], edge[int]{rapid.IntRange(0, 3).Draw(t, "label"), node.Draw(t, "to")})
		}
	}
	return g
}

func drawTriggers(t *rapid.T, n int) []trigger {
	node, label := rapid.IntRange(0, n-1), rapid.IntRange(0, 3)
	bad, badL := node.Draw(t, "bad"), label.Draw(t, "badLabel")
	tgt, a, b := node.Draw(t, "target"), node.Draw(t, "a"), node.Draw(t, "b")
	bad2, badL2 := node.Draw(t, "bad2"), label.Draw(t, "badLabel2")
	return []trigger{
		{name: "always-state", kind: checker.Always, state: func(s int) bool { return s == bad }},
		{name: "always-step", kind: checker.Always, step: func(_ int, e edge[int]) bool { return e.Label == badL }},
		{name: "some-state", kind: checker.Sometimes, state: func(s int) bool { return s == tgt }},
		{name: "some-step", kind: checker.Sometimes, step: func(f int, e edge[int]) bool { return f == a && e.To == b }},
		{name: "always-both", kind: checker.Always,
			state: func(s int) bool { return s == bad2 },
			step:  func(_ int, e edge[int]) bool { return e.Label == badL2 }},
	}
}

// requireTriggerPath checks that p ends in a trigger of tr.
func requireTriggerPath(t require.TestingT, tr trigger, p *checker.Path[int, int]) {
	last := p.Last()
	ok := tr.state != nil && tr.state(last)
	if p.Len() > 0 && tr.step != nil {
		from := p.Init
		if p.Len() > 1 {
			from = p.Steps[p.Len()-2].State
		}
		st := p.Steps[p.Len()-1]
		ok = ok || tr.step(from, edge[int]{st.Label, st.State})
	}
	require.True(t, ok, "path does not end in a trigger of %s", tr.name)
}

func TestDifferentialAgainstReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := drawGraph(t)
		trs := drawTriggers(t, len(g.Adj))
		props := make([]checker.Property[int, int], len(trs))
		for i, tr := range trs {
			props[i] = tr.property()
		}
		ref := explore(g)
		r, err := checker.Check(ctx, g, props, checker.Options{})
		require.NoError(t, err)
		require.True(t, r.Complete)
		require.Equal(t, len(ref.reach), r.States)
		require.Equal(t, ref.transitions, r.Transitions)
		require.Equal(t, ref.depth, r.Depth)
		require.Equal(t, ref.deadlocks, r.Deadlocks)
		if ref.deadlockLen < 0 {
			require.Nil(t, r.Deadlock)
		} else {
			require.Equal(t, ref.deadlockLen, r.Deadlock.Len())
			requireReplayable(t, g, r.Deadlock)
			require.Empty(t, g.Adj[r.Deadlock.Last()])
		}
		for i, tr := range trs {
			pr, want := r.Properties[i], ref.shortest(g, tr)
			require.Equal(t, tr.name, pr.Name)
			if want < 0 {
				require.Nil(t, pr.Path)
				require.Equal(t, map[checker.Kind]checker.Verdict{checker.Always: checker.Holds, checker.Sometimes: checker.NotFound}[tr.kind], pr.Verdict)
				continue
			}
			require.Equal(t, map[checker.Kind]checker.Verdict{checker.Always: checker.Violated, checker.Sometimes: checker.Found}[tr.kind], pr.Verdict)
			require.Equal(t, want, pr.Path.Len(), tr.name)
			requireReplayable(t, g, pr.Path)
			requireTriggerPath(t, tr, pr.Path)
		}
		checkBoundedAgrees(t, g, props, r)
	})
}

// checkBoundedAgrees checks that bounded runs are honest and that whatever they
// decide is exactly what the full run decided (a bounded BFS is a prefix of
// the full one).
func checkBoundedAgrees(t *rapid.T, g graph[int], props []checker.Property[int, int], full checker.Result[int, int]) {
	maxStates := rapid.IntRange(1, len(g.Adj)).Draw(t, "maxStates")
	maxDepth := rapid.IntRange(1, len(g.Adj)).Draw(t, "maxDepth")
	bs, err := checker.Check(ctx, g, props, checker.Options{MaxStates: maxStates})
	require.NoError(t, err)
	bd, err := checker.Check(ctx, g, props, checker.Options{MaxDepth: maxDepth})
	require.NoError(t, err)
	require.LessOrEqual(t, bs.States, maxStates)
	require.LessOrEqual(t, bd.Depth, maxDepth)
	require.Equal(t, full.States <= maxStates, bs.Complete)
	if !bs.Complete {
		require.Equal(t, "max-states", bs.StopReason)
	}
	if !bd.Complete {
		require.Equal(t, "max-depth", bd.StopReason)
	}
	for i, fp := range full.Properties {
		for _, b := range []struct {
			r       checker.Result[int, int]
			decided bool
		}{
			{bs, fp.Path != nil && fp.States <= maxStates},
			{bd, fp.Path != nil && fp.Path.Len() <= maxDepth},
		} {
			bp := b.r.Properties[i]
			switch {
			case b.r.Complete:
				require.Equal(t, fp, bp)
			case b.decided:
				require.Equal(t, fp, bp)
			default:
				require.Equal(t, checker.Incomplete, bp.Verdict)
				require.Nil(t, bp.Path)
			}
		}
	}
}
