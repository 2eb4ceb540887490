package checker_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/checker"
)

// wideState is a 120-byte state, the size of the TCP model's, in which
// only a few bytes are not zero (sparse) or every byte is (dense).
type wideState struct {
	ID   uint64
	Pad  [13]uint64
	Tail [2]uint32
}

// wideGraph is hashGraph with each node as a wideState.
type wideGraph struct {
	g     hashed
	dense bool
}

func (w wideGraph) state(id uint64) wideState {
	s := wideState{ID: id, Tail: [2]uint32{uint32(id % 3), 0}}
	if w.dense {
		for i := range s.Pad {
			s.Pad[i] = 0x0101010101010101 * (id%255 + 1)
		}
		s.Tail[1] = 0x01010101
	}
	return s
}

func (w wideGraph) Init() []wideState {
	var out []wideState
	for _, id := range w.g.Init() {
		out = append(out, w.state(id))
	}
	return out
}

func (w wideGraph) Successors(s wideState, emit func(uint8, wideState)) {
	w.g.Successors(s.ID, func(l uint8, t uint64) { emit(l, w.state(t)) })
}

func (w wideGraph) Hash(s wideState) uint64 { return w.g.Hash(s.ID) }

// TestPackedLevels runs searches of 120-byte states with every level after
// the first packed (not forced: the rules for real models apply) and with
// none: the results are the same, paths included. Sparse states, as in the
// TCP model, take far less memory packed. Dense ones are packed
// for one level, which saves nothing, and then no more. A state of 8 bytes
// is never packed.
func TestPackedLevels(t *testing.T) {
	g := hashed{hashGraph{N: 400000, Fanout: 4}}
	props := []checker.Property[wideState, uint8]{
		{Name: "below", Kind: checker.Always, State: func(s wideState) bool { return s.ID != 399999 }},
		{Name: "step", Kind: checker.Sometimes, Step: func(f wideState, _ uint8, t wideState) bool { return t.ID > 399000 && f.ID < 1000 }},
	}
	for _, dense := range []bool{false, true} {
		m := wideGraph{g, dense}
		for _, w := range []int{1, 2} {
			opts := checker.Options{Workers: w, Store: checker.StoreFingerprint}
			plain, err := checker.Check[wideState, uint8](ctx, m, props, checker.WithPackLevel(opts, -1, false))
			require.NoError(t, err)
			packed, err := checker.Check[wideState, uint8](ctx, m, props, checker.WithPackLevel(opts, 1, false))
			require.NoError(t, err)
			require.True(t, plain.Complete)
			require.Equal(t, checker.Violated, plain.Properties[0].Verdict)
			require.Equal(t, checker.Found, plain.Properties[1].Verdict)
			pb, kb := plain.PeakBytes, packed.PeakBytes
			plain.Elapsed, packed.Elapsed, plain.PeakBytes, packed.PeakBytes = 0, 0, 0, 0
			require.Equal(t, plain, packed, "dense %v, %d workers", dense, w)
			if dense {
				// One packed level of dense states (the first, of two
				// states), then plain ones: the same peak within 1%.
				// Packing every level would cost 11% more here.
				require.LessOrEqual(t, kb, pb+pb/100, "dense: packed peak %d against %d", kb, pb)
			} else {
				// The levels shrink about fivefold here; the visited set and
				// the candidate buffers do not.
				require.Less(t, float64(kb), 0.7*float64(pb), "sparse: packed peak %d against %d", kb, pb)
			}
		}
	}
	// Eight-byte states: the same figures, memory included.
	small := []checker.Property[uint64, uint8]{{Name: "below", Kind: checker.Always, State: func(s uint64) bool { return s != 399999 }}}
	plain, err := checker.Check[uint64, uint8](ctx, g, small, checker.WithPackLevel(checker.Options{Workers: 1}, -1, false))
	require.NoError(t, err)
	packed, err := checker.Check[uint64, uint8](ctx, g, small, checker.WithPackLevel(checker.Options{Workers: 1}, 1, false))
	require.NoError(t, err)
	plain.Elapsed, packed.Elapsed = 0, 0
	require.Equal(t, plain, packed)
}

// TestPackedLevelsUnderMemoryBound runs memory-bounded searches of sparse
// 120-byte states with the levels packed from one of 20,000 states and
// with none. Packing must never stop a search earlier: at every bound from
// 4 to 26 MiB the packed search stores at least as many states (the plain
// arrays of the levels before packing began are not held once they are no
// longer used; a review found that they were, and packing then stopped a
// 20 MiB search at 60,630 states against 91,222 plain). A bounded search's
// figures, PeakBytes included, are the same at every worker count.
func TestPackedLevelsUnderMemoryBound(t *testing.T) {
	m := wideGraph{hashed{hashGraph{N: 300000, Fanout: 4}}, false}
	props := []checker.Property[wideState, uint8]{{Name: "never", Kind: checker.Always, State: func(s wideState) bool { return s.ID < 300000 }}}
	bounds := []int64{4, 8, 12, 16, 20, 26}
	if testing.Short() {
		bounds = []int64{8, 20}
	}
	for _, mb := range bounds {
		var first [2]checker.Result[wideState, uint8]
		for w := 1; w <= 2; w++ {
			for i, pack := range []int{-1, 20000} {
				opts := checker.Options{Store: checker.StoreFingerprint, MaxMemory: mb << 20, Workers: w}
				r, err := checker.Check[wideState, uint8](ctx, m, props, checker.WithPackLevel(opts, pack, false))
				require.NoError(t, err)
				require.LessOrEqual(t, r.PeakBytes, mb<<20)
				r.Elapsed, r.Workers = 0, 0
				if w == 1 {
					first[i] = r
				} else {
					require.Equal(t, first[i], r, "%d MiB, pack %d: 2 workers against 1", mb, pack)
				}
			}
		}
		require.GreaterOrEqual(t, first[1].States, first[0].States, "%d MiB: packed search stored fewer states than the plain one", mb)
	}
}

// fan40 is one state with 40 successors, the last of them a dead end.
type fan40 struct{}

func (fan40) Init() []uint64 { return []uint64{0} }

func (fan40) Successors(s uint64, emit func(uint8, uint64)) {
	switch {
	case s == 0:
		for i := uint64(1); i <= 40; i++ {
			emit(0, i)
		}
	case s < 40:
		emit(1, 100)
	}
}

// TestProbeLevelDeadlockIndex stops at depth 1, whose 40 states are only
// probed for successors: the dead end, at position 39 of a packed level
// (past two index strides), is the deadlock reported, with a path to it.
func TestProbeLevelDeadlockIndex(t *testing.T) {
	for _, pack := range []int{-1, 1} {
		r, err := checker.Check[uint64, uint8](ctx, fan40{}, nil, checker.WithPackLevel(checker.Options{MaxDepth: 1}, pack, true))
		require.NoError(t, err)
		require.Equal(t, 1, r.Deadlocks, "pack %d", pack)
		require.Equal(t, uint64(40), r.Deadlock.Last(), "pack %d", pack)
		require.Equal(t, "max-depth", r.StopReason)
	}
}
