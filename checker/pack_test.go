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
			plain, err := checker.Check[wideState, uint8](ctx, m, props, checker.WithPackMin(opts, -1, false))
			require.NoError(t, err)
			packed, err := checker.Check[wideState, uint8](ctx, m, props, checker.WithPackMin(opts, 1, false))
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
	plain, err := checker.Check[uint64, uint8](ctx, g, small, checker.WithPackMin(checker.Options{Workers: 1}, -1, false))
	require.NoError(t, err)
	packed, err := checker.Check[uint64, uint8](ctx, g, small, checker.WithPackMin(checker.Options{Workers: 1}, 1, false))
	require.NoError(t, err)
	plain.Elapsed, packed.Elapsed = 0, 0
	require.Equal(t, plain, packed)
}
