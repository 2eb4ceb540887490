package checker_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/checker"
)

var ctx = context.Background()

func TestGridCounts(t *testing.T) {
	for _, n := range []int{1, 2, 5, 17} {
		r, err := checker.Check(ctx, grid{n}, nil, checker.Options{})
		require.NoError(t, err)
		require.Equal(t, n*n, r.States, "n=%d", n)
		require.Equal(t, 2*n*(n-1), r.Transitions, "n=%d", n)
		require.Equal(t, 2*(n-1), r.Depth, "n=%d", n)
		require.True(t, r.Complete)
		require.Empty(t, r.StopReason)
		require.Equal(t, 1, r.Deadlocks)
		require.Equal(t, 2*(n-1), r.Deadlock.Len())
		require.Equal(t, pt{n - 1, n - 1}, r.Deadlock.Last())
		requireReplayable(t, grid{n}, r.Deadlock)
		require.Empty(t, r.Properties)
	}
}

// line is the "linear equation" model: x, y in [0,10], find 3x+5y = c.
type line struct{}

func (line) Init() []pt { return []pt{{0, 0}} }

func (line) Successors(s pt, emit func(string, pt)) {
	if s.X < 10 {
		emit("x++", pt{s.X + 1, s.Y})
	}
	if s.Y < 10 {
		emit("y++", pt{s.X, s.Y + 1})
	}
}

func TestLinearEquation(t *testing.T) {
	props := []checker.Property[pt, string]{
		{Name: "solvable", Kind: checker.Sometimes, State: func(s pt) bool { return 3*s.X+5*s.Y == 19 }},
		{Name: "no-solution", Kind: checker.Always, State: func(s pt) bool { return 3*s.X+5*s.Y != 19 }},
		{Name: "impossible", Kind: checker.Sometimes, State: func(s pt) bool { return 3*s.X+6*s.Y == 19 }},
		{Name: "bounded", Kind: checker.Always, State: func(s pt) bool { return s.X <= 10 && s.Y <= 10 }},
	}
	r, err := checker.Check(ctx, line{}, props, checker.Options{})
	require.NoError(t, err)
	require.True(t, r.Complete)
	require.Equal(t, 121, r.States)
	require.Equal(t, 20, r.Depth)
	for _, name := range []string{"solvable", "no-solution"} {
		p := propByName(t, r, name)
		require.Equal(t, 5, p.Path.Len())
		require.Equal(t, pt{3, 2}, p.Path.Last())
		requireReplayable(t, line{}, p.Path)
	}
	require.Equal(t, checker.Found, propByName(t, r, "solvable").Verdict)
	require.Equal(t, checker.Violated, propByName(t, r, "no-solution").Verdict)
	require.Equal(t, checker.NotFound, propByName(t, r, "impossible").Verdict)
	require.Nil(t, propByName(t, r, "impossible").Path)
	require.Equal(t, checker.Holds, propByName(t, r, "bounded").Verdict)
	require.Equal(t, 121, propByName(t, r, "bounded").States)
}

func TestRing(t *testing.T) {
	r, err := checker.Check(ctx, ring{N: 10}, nil, checker.Options{})
	require.NoError(t, err)
	require.Equal(t, 10, r.States)
	require.Equal(t, 10, r.Transitions)
	require.Equal(t, 9, r.Depth)
	require.Zero(t, r.Deadlocks)
	require.Nil(t, r.Deadlock)
	require.True(t, r.Complete)

	r2, err := checker.Check(ctx, ring{N: 10, Both: true}, nil, checker.Options{})
	require.NoError(t, err)
	require.Equal(t, 10, r2.States)
	require.Equal(t, 20, r2.Transitions)
	require.Equal(t, 5, r2.Depth)

	n, err := checker.Reachable(ctx, ring{N: 7}, checker.Options{})
	require.NoError(t, err)
	require.Equal(t, 7, n)
}

func TestDeadlockAtKnownDepth(t *testing.T) {
	// 0 → 4 → 5 → 6 → 7 → 8 (deadlock, depth 5), 0 → 1 → 2 → 3 (deadlock,
	// depth 3), 5 → 0 (cycle). The deeper branch is emitted first.
	g := graph[string]{
		Inits: []int{0},
		Adj: [][]edge[string]{
			0: {{"long", 4}, {"short", 1}},
			1: {{"b", 2}},
			2: {{"c", 3}},
			3: nil,
			4: {{"d", 5}},
			5: {{"e", 6}, {"back", 0}},
			6: {{"f", 7}},
			7: {{"g", 8}},
			8: nil,
		},
	}
	r, err := checker.Check(ctx, g, nil, checker.Options{})
	require.NoError(t, err)
	require.Equal(t, 9, r.States)
	require.Equal(t, 9, r.Transitions)
	require.Equal(t, 5, r.Depth)
	require.Equal(t, 2, r.Deadlocks)
	require.Equal(t, 3, r.Deadlock.Len())
	require.Equal(t, 3, r.Deadlock.Last())
	require.Equal(t, []string{"short", "b", "c"}, labels(r.Deadlock))
	requireReplayable(t, g, r.Deadlock)
}

func TestShortestCounterexample(t *testing.T) {
	// Bad state 6 is reachable by a long path (emitted first) and a short one.
	g := graph[string]{
		Inits: []int{0},
		Adj: [][]edge[string]{
			0: {{"a", 1}, {"s", 5}},
			1: {{"b", 2}},
			2: {{"c", 3}},
			3: {{"d", 4}},
			4: {{"e", 6}},
			5: {{"t", 6}},
			6: {{"loop", 6}},
		},
	}
	props := []checker.Property[int, string]{
		{Name: "never-6", Kind: checker.Always, State: func(s int) bool { return s != 6 }},
	}
	r, err := checker.Check(ctx, g, props, checker.Options{})
	require.NoError(t, err)
	p := r.Properties[0]
	require.Equal(t, checker.Violated, p.Verdict)
	require.Equal(t, 0, p.Path.Init)
	require.Equal(t, []checker.Step[int, string]{{Label: "s", State: 5}, {Label: "t", State: 6}}, p.Path.Steps)
	requireReplayable(t, g, p.Path)
	require.Equal(t, 2, p.Depth)
	require.True(t, r.Complete)
	require.Equal(t, 7, r.States)
	require.Equal(t, 8, r.Transitions)
}

func TestStepViolationLength(t *testing.T) {
	props := []checker.Property[pt, string]{
		{Name: "no-y-at-x3", Kind: checker.Always, Step: func(from pt, l string, _ pt) bool {
			return !(l == "inc-y" && from.X == 3)
		}},
	}
	r, err := checker.Check(ctx, grid{6}, props, checker.Options{})
	require.NoError(t, err)
	p := r.Properties[0]
	require.Equal(t, checker.Violated, p.Verdict)
	require.Equal(t, 4, p.Path.Len()) // depth((3,0)) + 1
	require.Equal(t, checker.Step[pt, string]{Label: "inc-y", State: pt{3, 1}}, p.Path.Steps[3])
	requireReplayable(t, grid{6}, p.Path)

	// A Step violation on a transition to an already-seen state (4 → 0).
	rp := []checker.Property[int, string]{
		{Name: "no-wrap", Kind: checker.Always, Step: func(from int, _ string, to int) bool { return !(from == 4 && to == 0) }},
	}
	r2, err := checker.Check(ctx, ring{N: 5}, rp, checker.Options{})
	require.NoError(t, err)
	p2 := r2.Properties[0]
	require.Equal(t, checker.Violated, p2.Verdict)
	require.Equal(t, 5, p2.Path.Len())
	require.Equal(t, 0, p2.Path.Last())
	requireReplayable(t, ring{N: 5}, p2.Path)
	require.Equal(t, 5, p2.Transitions)
}

func TestInitialStateViolation(t *testing.T) {
	g := graph[string]{Inits: []int{1, 0, 1}, Adj: [][]edge[string]{{{"x", 1}}, {{"y", 0}}}}
	props := []checker.Property[int, string]{
		{Name: "never-0", Kind: checker.Always, State: func(s int) bool { return s != 0 }},
		{Name: "sees-1", Kind: checker.Sometimes, State: func(s int) bool { return s == 1 }},
	}
	r, err := checker.Check(ctx, g, props, checker.Options{})
	require.NoError(t, err)
	require.Equal(t, 2, r.States)
	require.Equal(t, 2, r.Transitions)
	require.Zero(t, r.Depth) // both are initial
	for i, want := range []int{0, 1} {
		p := r.Properties[i]
		require.NotNil(t, p.Path)
		require.Zero(t, p.Path.Len())
		require.Equal(t, want, p.Path.Init)
		require.Equal(t, want, p.Path.Last())
		require.Zero(t, p.Transitions)
		require.Zero(t, p.Depth)
	}
	require.Equal(t, 2, r.Properties[0].States) // 1 stored first, then 0
	require.Equal(t, 1, r.Properties[1].States)
}

func TestSometimes(t *testing.T) {
	props := []checker.Property[pt, string]{
		{Name: "corner", Kind: checker.Sometimes, State: func(s pt) bool { return s == pt{7, 7} }},
		{Name: "diag-step", Kind: checker.Sometimes, Step: func(f pt, _ string, to pt) bool { return f.X == f.Y && to.X == 2 && to.Y == 1 }},
		{Name: "outside", Kind: checker.Sometimes, State: func(s pt) bool { return s.X >= 8 }},
	}
	r, err := checker.Check(ctx, grid{8}, props, checker.Options{})
	require.NoError(t, err)
	require.Equal(t, checker.Found, r.Properties[0].Verdict)
	require.Equal(t, 14, r.Properties[0].Path.Len())
	require.Equal(t, checker.Found, r.Properties[1].Verdict)
	require.Equal(t, 3, r.Properties[1].Path.Len())
	require.Equal(t, pt{1, 1}, r.Properties[1].Path.Steps[1].State)
	require.Equal(t, checker.NotFound, r.Properties[2].Verdict)
	require.Nil(t, r.Properties[2].Path)

	rb, err := checker.Check(ctx, grid{8}, props, checker.Options{MaxStates: 20})
	require.NoError(t, err)
	require.False(t, rb.Complete)
	require.Equal(t, "max-states", rb.StopReason)
	require.Equal(t, checker.Incomplete, rb.Properties[0].Verdict)
	require.Equal(t, checker.Found, rb.Properties[1].Verdict)
	require.Equal(t, checker.Incomplete, rb.Properties[2].Verdict)
	require.Equal(t, 20, rb.Properties[2].States)
}

func TestKindVerdictStrings(t *testing.T) {
	require.Equal(t, "always", checker.Always.String())
	require.Equal(t, "sometimes", checker.Sometimes.String())
	require.Equal(t, "Kind(0)", checker.Kind(0).String())
	want := map[checker.Verdict]string{
		checker.Holds: "holds", checker.Violated: "violated", checker.Found: "found",
		checker.NotFound: "not-found", checker.Incomplete: "incomplete", 0: "Verdict(0)",
	}
	for v, s := range want {
		require.Equal(t, s, v.String())
	}
}
