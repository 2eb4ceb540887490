package checker_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/checker"
)

func gridProps() []checker.Property[pt, string] {
	return []checker.Property[pt, string]{
		{Name: "in-range", Kind: checker.Always, State: func(s pt) bool { return s.X >= 0 && s.Y >= 0 }},
		{Name: "never", Kind: checker.Sometimes, State: func(s pt) bool { return s.X < 0 }},
	}
}

func TestMaxStates(t *testing.T) {
	r, err := checker.Check(ctx, grid{10}, gridProps(), checker.Options{MaxStates: 30})
	require.NoError(t, err)
	require.Equal(t, 30, r.States)
	require.False(t, r.Complete)
	require.Equal(t, "max-states", r.StopReason)
	for _, p := range r.Properties {
		require.Equal(t, checker.Incomplete, p.Verdict, p.Name)
		require.Nil(t, p.Path)
	}

	// Exactly 100 states fit: the bound stops nothing, so the search is complete.
	r, err = checker.Check(ctx, grid{10}, gridProps(), checker.Options{MaxStates: 100})
	require.NoError(t, err)
	require.True(t, r.Complete)
	require.Equal(t, checker.Holds, r.Properties[0].Verdict)
	require.Equal(t, checker.NotFound, r.Properties[1].Verdict)

	r, err = checker.Check(ctx, grid{10}, gridProps(), checker.Options{MaxStates: 99})
	require.NoError(t, err)
	require.False(t, r.Complete)
	require.Equal(t, 99, r.States)
	require.Equal(t, checker.Incomplete, r.Properties[0].Verdict)

	// Bounds also apply to initial states.
	g := graph[string]{Inits: []int{0, 1, 2}, Adj: make([][]edge[string], 3)}
	r2, err := checker.Check(ctx, g, nil, checker.Options{MaxStates: 2})
	require.NoError(t, err)
	require.Equal(t, 2, r2.States)
	require.False(t, r2.Complete)
	require.Equal(t, "max-states", r2.StopReason)
}

func TestMaxDepth(t *testing.T) {
	r, err := checker.Check(ctx, grid{10}, gridProps(), checker.Options{MaxDepth: 3})
	require.NoError(t, err)
	require.Equal(t, 10, r.States)      // x+y <= 3
	require.Equal(t, 12, r.Transitions) // 6 expanded states (x+y <= 2), 2 each
	require.Equal(t, 3, r.Depth)
	require.False(t, r.Complete)
	require.Equal(t, "max-depth", r.StopReason)
	require.Zero(t, r.Deadlocks)
	for _, p := range r.Properties {
		require.Equal(t, checker.Incomplete, p.Verdict, p.Name)
	}

	// Only the deadlocked corner lies at depth 18: nothing is cut off.
	r, err = checker.Check(ctx, grid{10}, gridProps(), checker.Options{MaxDepth: 18})
	require.NoError(t, err)
	require.True(t, r.Complete)
	require.Equal(t, 100, r.States)
	require.Equal(t, 1, r.Deadlocks)
	require.Equal(t, checker.Holds, r.Properties[0].Verdict)

	r, err = checker.Check(ctx, grid{10}, gridProps(), checker.Options{MaxDepth: 17})
	require.NoError(t, err)
	require.False(t, r.Complete)
	require.Equal(t, 99, r.States)
	require.Equal(t, checker.Incomplete, r.Properties[0].Verdict)
}

func TestViolationFinalUnderBounds(t *testing.T) {
	props := []checker.Property[pt, string]{
		{Name: "x<2", Kind: checker.Always, State: func(s pt) bool { return s.X < 2 }},
	}
	r, err := checker.Check(ctx, grid{50}, props, checker.Options{MaxStates: 10})
	require.NoError(t, err)
	require.False(t, r.Complete)
	require.Equal(t, checker.Violated, r.Properties[0].Verdict)
	require.Equal(t, 2, r.Properties[0].Path.Len())
	require.LessOrEqual(t, r.Properties[0].States, 10)
}

func TestStopWhenDecided(t *testing.T) {
	props := []checker.Property[pt, string]{
		{Name: "x<3", Kind: checker.Always, State: func(s pt) bool { return s.X < 3 }},
		{Name: "y=2", Kind: checker.Sometimes, State: func(s pt) bool { return s.Y == 2 }},
	}
	r, err := checker.Check(ctx, grid{50}, props, checker.Options{StopWhenDecided: true})
	require.NoError(t, err)
	require.False(t, r.Complete)
	require.Equal(t, "decided", r.StopReason)
	require.Less(t, r.States, 50*50)
	require.Equal(t, checker.Violated, r.Properties[0].Verdict)
	require.Equal(t, 3, r.Properties[0].Path.Len())
	require.Equal(t, checker.Found, r.Properties[1].Verdict)
	require.Equal(t, 2, r.Properties[1].Path.Len())

	// Same verdicts and paths as a full search.
	full, err := checker.Check(ctx, grid{50}, props, checker.Options{})
	require.NoError(t, err)
	require.True(t, full.Complete)
	for i := range props {
		require.Equal(t, full.Properties[i].Verdict, r.Properties[i].Verdict)
		require.Equal(t, full.Properties[i].Path, r.Properties[i].Path)
	}

	// With an undecided property the search runs to the end.
	more := append(props, checker.Property[pt, string]{Name: "never", Kind: checker.Sometimes, State: func(s pt) bool { return s.X > 99 }})
	r, err = checker.Check(ctx, grid{50}, more, checker.Options{StopWhenDecided: true})
	require.NoError(t, err)
	require.True(t, r.Complete)
	require.Equal(t, checker.NotFound, r.Properties[2].Verdict)

	// Without properties StopWhenDecided has no effect.
	r0, err := checker.Check(ctx, grid{5}, nil, checker.Options{StopWhenDecided: true})
	require.NoError(t, err)
	require.True(t, r0.Complete)
	require.Equal(t, 25, r0.States)
}

func TestCancelled(t *testing.T) {
	c, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := checker.Check(c, grid{10}, gridProps(), checker.Options{})
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, r.Complete)
	require.Equal(t, "cancelled", r.StopReason)
	require.Len(t, r.Properties, 2)
	for _, p := range r.Properties {
		require.Equal(t, checker.Incomplete, p.Verdict)
	}
}

func TestCancelDuringRunAndProgress(t *testing.T) {
	c, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls []checker.Progress
	opts := checker.Options{
		ProgressEvery: time.Nanosecond,
		Progress: func(p checker.Progress) {
			calls = append(calls, p)
			if p.States > 2000 {
				cancel()
			}
		},
	}
	r, err := checker.Check(c, grid{300}, gridProps(), opts)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, r.Complete)
	require.Equal(t, "cancelled", r.StopReason)
	require.Less(t, r.States, 300*300)
	require.NotEmpty(t, calls)
	// Cancellation abandons the batch being expanded: the result keeps the
	// states merged before it.
	last := calls[len(calls)-1]
	require.LessOrEqual(t, last.States, r.States)
	for i := 1; i < len(calls); i++ {
		require.LessOrEqual(t, calls[i-1].Elapsed, calls[i].Elapsed)
		require.LessOrEqual(t, calls[i-1].Transitions, calls[i].Transitions)
		require.LessOrEqual(t, calls[i-1].States, calls[i].States)
	}
}

func TestArgumentErrors(t *testing.T) {
	st := func(pt) bool { return true }
	cases := map[string]struct {
		props []checker.Property[pt, string]
		opts  checker.Options
	}{
		"empty-name": {props: []checker.Property[pt, string]{{Kind: checker.Always, State: st}}},
		"duplicate": {props: []checker.Property[pt, string]{
			{Name: "a", Kind: checker.Always, State: st}, {Name: "a", Kind: checker.Sometimes, State: st}}},
		"nil-preds":      {props: []checker.Property[pt, string]{{Name: "a", Kind: checker.Always}}},
		"nil-preds-some": {props: []checker.Property[pt, string]{{Name: "a", Kind: checker.Sometimes}}},
		"bad-kind":       {props: []checker.Property[pt, string]{{Name: "a", State: st}}},
		"bad-kind-3":     {props: []checker.Property[pt, string]{{Name: "a", Kind: 3, State: st}}},
		"neg-states":     {opts: checker.Options{MaxStates: -1}},
		"neg-depth":      {opts: checker.Options{MaxDepth: -1}},
	}
	for name, tc := range cases {
		_, err := checker.Check(ctx, grid{3}, tc.props, tc.opts)
		require.Error(t, err, name)
	}
	_, err := checker.Check[pt, string](ctx, nil, nil, checker.Options{})
	require.Error(t, err)
}

// flaky reverses its emission order on every call, breaking determinism.
type flaky struct{ calls *int }

func (f flaky) Init() []int { return []int{0} }

func (f flaky) Successors(s int, emit func(string, int)) {
	*f.calls++
	if s != 0 {
		return
	}
	if *f.calls%2 == 1 {
		emit("a", 1)
		emit("b", 2)
	} else {
		emit("b", 2)
		emit("a", 1)
	}
}

func TestNondeterministicModel(t *testing.T) {
	props := []checker.Property[int, string]{
		{Name: "never-2", Kind: checker.Always, State: func(s int) bool { return s != 2 }},
	}
	_, err := checker.Check(ctx, flaky{new(int)}, props, checker.Options{})
	require.ErrorIs(t, err, checker.ErrNondeterministic)
}

// hashGraph is a pseudo-random graph on [0, N) defined by a hash.
type hashGraph struct{ N, Fanout uint64 }

func (h hashGraph) Init() []uint64 { return []uint64{0, h.N / 2} }

func (h hashGraph) Successors(s uint64, emit func(uint8, uint64)) {
	x := s*0x9E3779B97F4A7C15 + 1
	for i := uint64(0); i < (s%h.Fanout)+1; i++ {
		x ^= x >> 29
		x *= 0xBF58476D1CE4E5B9
		emit(uint8(x>>56), (x>>7)%h.N)
	}
}

func TestDeterminism(t *testing.T) {
	m := hashGraph{N: 5000, Fanout: 4}
	props := []checker.Property[uint64, uint8]{
		{Name: "state", Kind: checker.Always, State: func(s uint64) bool { return s%977 != 13 }},
		{Name: "step", Kind: checker.Sometimes, Step: func(f uint64, l uint8, to uint64) bool { return l == 7 && to > f }},
		{Name: "never", Kind: checker.Always, State: func(s uint64) bool { return s < 5000 }},
	}
	run := func() checker.Result[uint64, uint8] {
		r, err := checker.Check(ctx, m, props, checker.Options{})
		require.NoError(t, err)
		r.Elapsed = 0
		return r
	}
	a, b := run(), run()
	require.Equal(t, a, b)
	require.True(t, a.Complete)
	require.Greater(t, a.States, 100)
	for _, p := range a.Properties[:2] {
		if p.Path != nil {
			requireReplayable(t, m, p.Path)
		}
	}
}

// TestHaltAtBatchEnd stops a search on the last state of a batch that is
// not the level's last (a star: 0 → 1..40, each i → 0; a witness on the
// step from 16, the 16th state of level 1, whose batches are of 16 states
// with one chunk per batch): the states after it in the level are not
// expanded, so the search is incomplete, with the same figures for every
// batch size.
func TestHaltAtBatchEnd(t *testing.T) {
	g := graph[string]{Inits: []int{0}, Adj: make([][]edge[string], 41)}
	for i := 1; i <= 40; i++ {
		g.Adj[0] = append(g.Adj[0], edge[string]{"out", i})
		g.Adj[i] = []edge[string]{{"back", 0}}
	}
	props := []checker.Property[int, string]{{Name: "from-16", Kind: checker.Sometimes, Step: func(from int, _ string, _ int) bool { return from == 16 }}}
	var first checker.Result[int, string]
	for _, batch := range []int{0, 1, 2} {
		for _, w := range []int{1, 2} {
			r, err := checker.Check[int, string](ctx, g, props, checker.WithBatch(checker.Options{StopWhenDecided: true, Workers: w}, batch))
			require.NoError(t, err)
			require.False(t, r.Complete, "batch %d: states 17..40 were not expanded", batch)
			require.Equal(t, "decided", r.StopReason)
			require.Equal(t, 41, r.States)
			require.Equal(t, 40+16, r.Transitions)
			require.Equal(t, checker.Found, r.Properties[0].Verdict)
			require.Equal(t, 2, r.Properties[0].Path.Len())
			r.Elapsed, r.Workers, r.PeakBytes = 0, 0, 0 // the batch size sets the buffers' size
			if batch == 0 && w == 1 {
				first = r
			} else {
				require.Equal(t, first, r, "batch %d, %d workers", batch, w)
			}
		}
	}
}

// fan is a tree: state 0 has N1 children, each of them has N2 children,
// and each of those has one child. Expanding the second-level state Cancel
// calls Stop, so that a test can cancel the search in the middle of a
// chunk; After counts the second-level states expanded once Done reports
// the cancellation.
type fan struct {
	N1, N2, Cancel uint64
	Stop           func()
	Done           func() bool
	After          *atomic.Int64
}

func (f fan) Init() []uint64 { return []uint64{0} }

func (f fan) Successors(s uint64, emit func(uint8, uint64)) {
	last2 := f.N1 + f.N1*f.N2 // the last second-level state
	switch {
	case s == 0:
		for i := uint64(1); i <= f.N1; i++ {
			emit(0, i)
		}
	case s <= f.N1:
		for j := uint64(1); j <= f.N2; j++ {
			emit(0, f.N1+(s-1)*f.N2+j)
		}
	case s <= last2:
		if s == f.Cancel {
			f.Stop()
		} else if f.Done() {
			f.After.Add(1)
		}
		emit(1, s+f.N1*f.N2)
	}
}

// TestCancelInsideChunk checks that the expand phase notices a cancellation
// within a chunk, not only between chunks: the 40,000 states of the second
// level (200 children of each of 200) are expanded in chunks of 512, and
// after the cancellation at the first chunk's 101st state only a few more may
// be expanded (the check runs every 16 states), by each worker; without the
// check the first chunk alone would expand its other 411. (Each first-level
// state has only 200 successors, so that the buffers reserved for the second
// level stay small whatever the reservation's cap.)
func TestCancelInsideChunk(t *testing.T) {
	for _, w := range []int{1, 2} {
		t.Run(fmt.Sprintf("workers=%d", w), func(t *testing.T) {
			c, cancel := context.WithCancel(context.Background())
			defer cancel()
			var after atomic.Int64
			m := fan{N1: 200, N2: 200, Cancel: 200 + 101, Stop: cancel, Done: func() bool { return c.Err() != nil }, After: &after}
			r, err := checker.Check[uint64, uint8](c, m, nil, checker.Options{Workers: w})
			require.ErrorIs(t, err, context.Canceled)
			require.False(t, r.Complete)
			require.Equal(t, "cancelled", r.StopReason)
			require.Equal(t, 1+200+40000, r.States, "the batch being expanded is abandoned")
			require.LessOrEqual(t, after.Load(), int64(24*w), "states expanded after the cancellation")
		})
	}
}

// TestWideFanOutReservesLittle checks the candidate buffers' advance
// sizing: after a level of one state with 4,000 successors, the next
// level's 4,000 states (one successor each) must not each reserve room for
// 4,000 candidates (about 400 MB in all).
func TestWideFanOutReservesLittle(t *testing.T) {
	var after atomic.Int64
	m := fan{N1: 4000, N2: 1, Stop: func() {}, Done: func() bool { return false }, After: &after}
	for _, w := range []int{1, 2} {
		r, err := checker.Check[uint64, uint8](ctx, m, nil, checker.Options{Workers: w})
		require.NoError(t, err)
		require.True(t, r.Complete)
		require.Equal(t, 1+3*4000, r.States)
		require.Less(t, r.PeakBytes, int64(4<<20), "workers=%d", w)
	}
}
