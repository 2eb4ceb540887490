package checker_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/checker"
)

// pairModel is an N×N grid of (x, y) with inc-x, inc-y and, from the
// diagonal, a jump back to the origin.
type pairModel struct{ n int }

type pair struct{ x, y int }

func (m pairModel) Init() []pair { return []pair{{0, 0}} }

func (m pairModel) Successors(s pair, emit func(string, pair)) {
	if s.x+1 < m.n {
		emit("x", pair{s.x + 1, s.y})
	}
	if s.y+1 < m.n {
		emit("y", pair{s.x, s.y + 1})
	}
	if s.x == s.y && s.x > 0 {
		emit("reset", pair{0, 0})
	}
}

// hashedPair adds a deliberately weak hash so that the open-addressing table
// must resolve many collisions.
type hashedPair struct {
	pairModel
	mod uint64
}

func (h hashedPair) Hash(s pair) uint64 { return uint64(s.x+s.y) % h.mod }

// TestHashStoreMatchesMap checks the compact table against the reference map
// store: the same counts, verdicts and paths, whatever the hash quality.
func TestHashStoreMatchesMap(t *testing.T) {
	props := []checker.Property[pair, string]{
		{Name: "far", Kind: checker.Sometimes, State: func(s pair) bool { return s.x == 40 && s.y == 17 }},
		{Name: "small", Kind: checker.Always, State: func(s pair) bool { return s.x+s.y < 70 }},
	}
	ref, err := checker.Check[pair, string](context.Background(), pairModel{60}, props, checker.Options{})
	require.NoError(t, err)
	require.Equal(t, 3600, ref.States)
	for _, mod := range []uint64{1, 7, 1 << 40} {
		got, err := checker.Check[pair, string](context.Background(), hashedPair{pairModel{60}, mod}, props, checker.Options{})
		require.NoError(t, err)
		got.Elapsed, ref.Elapsed = 0, 0
		require.Equal(t, ref, got, "hash mod %d", mod)
	}
}
