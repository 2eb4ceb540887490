package checker_test

import (
	"slices"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/checker"
)

// pt is a grid point.
type pt struct{ X, Y int }

// grid is the counter pair (x,y) in [0,N)² with inc-x / inc-y transitions.
// It has N² states, 2N(N-1) transitions, depth 2(N-1), and one deadlock
// at (N-1,N-1).
type grid struct{ N int }

func (g grid) Init() []pt { return []pt{{0, 0}} }

func (g grid) Successors(s pt, emit func(string, pt)) {
	if s.X+1 < g.N {
		emit("inc-x", pt{s.X + 1, s.Y})
	}
	if s.Y+1 < g.N {
		emit("inc-y", pt{s.X, s.Y + 1})
	}
}

// ring is 0 → 1 → … → N-1 → 0, optionally also backwards.
type ring struct {
	N    int
	Both bool
}

func (r ring) Init() []int { return []int{0} }

func (r ring) Successors(s int, emit func(string, int)) {
	emit("fwd", (s+1)%r.N)
	if r.Both {
		emit("back", (s+r.N-1)%r.N)
	}
}

// edge is a labelled edge of an explicit graph.
type edge[L any] struct {
	Label L
	To    int
}

// graph is an explicit graph given by adjacency lists.
type graph[L any] struct {
	Inits []int
	Adj   [][]edge[L]
}

func (g graph[L]) Init() []int { return g.Inits }

func (g graph[L]) Successors(s int, emit func(L, int)) {
	for _, e := range g.Adj[s] {
		emit(e.Label, e.To)
	}
}

// requireReplayable checks that p starts at an initial state of m and that
// each step is an emission of m.Successors from the previous state.
func requireReplayable[S, L comparable](t require.TestingT, m checker.Model[S, L], p *checker.Path[S, L]) {
	require.NotNil(t, p)
	require.True(t, slices.Contains(m.Init(), p.Init), "path does not start at an initial state")
	cur := p.Init
	for i, st := range p.Steps {
		ok := false
		m.Successors(cur, func(l L, next S) {
			if l == st.Label && next == st.State {
				ok = true
			}
		})
		require.Truef(t, ok, "step %d (%v → %v) is not a transition", i, st.Label, st.State)
		cur = st.State
	}
	require.Equal(t, cur, p.Last())
}

// labels returns the labels of a path.
func labels[S comparable, L any](p *checker.Path[S, L]) []L {
	out := make([]L, 0, p.Len())
	for _, s := range p.Steps {
		out = append(out, s.Label)
	}
	return out
}

// propByName returns the result of the named property.
func propByName[S comparable, L any](t require.TestingT, r checker.Result[S, L], name string) checker.PropertyResult[S, L] {
	for _, p := range r.Properties {
		if p.Name == name {
			return p
		}
	}
	require.FailNow(t, "no property "+name)
	return checker.PropertyResult[S, L]{}
}
