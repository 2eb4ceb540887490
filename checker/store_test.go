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

// TestHashStoreMatchesMap checks the exact table against the reference map
// store: the same counts, verdicts and paths, whatever the hash quality. All
// three weak hashes put every state in shard 0: one value gives one tag, so
// that every look-up compares states; seven values give seven tags; x+y
// leaves many states sharing a hash. (Fingerprints would merge such states,
// by design: TestStoreModes compares them with a good hash.) Last, a good
// hash that is 0 at the origin, which the grid's resets revisit after
// StoreAuto has switched to fingerprints: 0 marks an empty slot there, so
// the switch must not insert it as it is.
func TestHashStoreMatchesMap(t *testing.T) {
	props := []checker.Property[pair, string]{
		{Name: "far", Kind: checker.Sometimes, State: func(s pair) bool { return s.x == 40 && s.y == 17 }},
		{Name: "small", Kind: checker.Always, State: func(s pair) bool { return s.x+s.y < 70 }},
	}
	ref, err := checker.Check[pair, string](context.Background(), pairModel{60}, props, checker.Options{Store: checker.StoreMap})
	require.NoError(t, err)
	require.Equal(t, 3600, ref.States)
	require.Equal(t, checker.StoreMap, ref.Store)
	// The figures that belong to the store.
	clear := func(r *checker.Result[pair, string]) {
		r.Elapsed, r.Store, r.Collision, r.VisitedBytes, r.PeakBytes, r.Workers = 0, 0, 0, 0, 0, 0
	}
	clear(&ref)
	for _, mod := range []uint64{1, 7, 1 << 40} {
		// The map store too: with the model's weak hash it shards and
		// fingerprints by it, and must still tell states apart.
		for _, store := range []checker.StoreMode{checker.StoreAuto, checker.StoreExact, checker.StoreMap} {
			for _, w := range []int{1, 2} {
				got, err := checker.Check[pair, string](context.Background(), hashedPair{pairModel{60}, mod}, props,
					checker.Options{Store: store, Workers: w})
				require.NoError(t, err)
				want := map[checker.StoreMode]checker.StoreMode{checker.StoreAuto: checker.StoreExact}[store]
				if want == 0 {
					want = store
				}
				require.Equal(t, want, got.Store, "hash mod %d, %v", mod, store)
				clear(&got)
				require.Equal(t, ref, got, "hash mod %d, %v, %d workers", mod, store, w)
			}
		}
	}
	for _, limit := range []int{1, 100} {
		got, err := checker.Check[pair, string](context.Background(), zeroAtOrigin{pairModel{60}}, props,
			checker.Options{ExactLimit: limit})
		require.NoError(t, err)
		require.Equal(t, checker.StoreFingerprint, got.Store)
		clear(&got)
		require.Equal(t, ref, got, "exact limit %d", limit)
	}
}

// zeroAtOrigin hashes the origin to 0 and every other state well.
type zeroAtOrigin struct{ pairModel }

func (z zeroAtOrigin) Hash(s pair) uint64 {
	if s == (pair{}) {
		return 0
	}
	x := uint64(s.x)<<32 | uint64(s.y)
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
