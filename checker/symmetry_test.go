package checker_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/timewait/timewait/checker"
)

// mirrored is a random graph with a symmetry: node x and node x^1 form an
// orbit, and the map x ↦ x^1 (labels l ↦ l^1) is an automorphism. The
// edges of an even node are drawn; an odd node's are their images. The
// state predicate and the step predicate look only at orbits (x>>1, l>>1),
// so they are invariant too.
type mirrored struct {
	inits []uint64
	adj   [][]mEdge // by orbit: the even node's edges
	hash  bool
}

type mEdge struct{ label, to uint64 }

func (g mirrored) Init() []uint64 { return g.inits }

func (g mirrored) Successors(s uint64, emit func(uint64, uint64)) {
	odd := s & 1
	for _, e := range g.adj[s>>1] {
		emit(e.label^odd, e.to^odd)
	}
}

// hashedMirrored is mirrored with a Hasher, so that fingerprints apply.
type hashedMirrored struct{ mirrored }

func (h hashedMirrored) Hash(s uint64) uint64 { return hashed{}.Hash(s) }

func genMirrored(t *rapid.T) mirrored {
	n := rapid.IntRange(1, 40).Draw(t, "orbits")
	node := rapid.Uint64Range(0, uint64(2*n-1))
	g := mirrored{inits: rapid.SliceOfN(node, 1, 3).Draw(t, "inits"), adj: make([][]mEdge, n)}
	for k := range g.adj {
		deg := rapid.IntRange(0, 3).Draw(t, "degree")
		for range deg {
			g.adj[k] = append(g.adj[k], mEdge{rapid.Uint64Range(0, 7).Draw(t, "label"), node.Draw(t, "to")})
		}
	}
	return g
}

func canonPair(s uint64) uint64 { return s &^ 1 }

// TestReduceMatchesUnreduced compares a search reduced by the graph's
// symmetry with the unreduced one: the same verdicts, counterexamples and
// witnesses of the same (shortest) length that are runs of the model and
// end as the predicates require, as many states as the unreduced space has
// orbits, and the same figures for every worker count and store.
func TestReduceMatchesUnreduced(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := genMirrored(t)
		badOrbit := rapid.Uint64Range(0, uint64(len(g.adj))).Draw(t, "bad-orbit")
		badLabel := rapid.Uint64Range(0, 3).Draw(t, "bad-label")
		props := []checker.Property[uint64, uint64]{
			{Name: "never-bad-orbit", Kind: checker.Always, State: func(s uint64) bool { return s>>1 != badOrbit }},
			{Name: "never-bad-label", Kind: checker.Always, Step: func(_, l, _ uint64) bool { return l>>1 != badLabel }},
			{Name: "reach-bad-orbit", Kind: checker.Sometimes, State: func(s uint64) bool { return s>>1 == badOrbit }},
			{Name: "some-bad-label", Kind: checker.Sometimes, Step: func(_, l, to uint64) bool { return l>>1 == badLabel && to>>1 != badOrbit }},
			// Predicates that relate the target to the label or the source:
			// invariant when all three are mirrored together, not when the
			// target alone is, so they fail if the explorer showed them the
			// representative instead of the target the model emitted.
			{Name: "never-parity-swap", Kind: checker.Always, Step: func(_, l, to uint64) bool { return !((l^to)&1 == 1 && l>>1 == badLabel) }},
			{Name: "some-same-parity", Kind: checker.Sometimes, Step: func(from, _, to uint64) bool { return (from^to)&1 == 0 && to>>1 == badOrbit }},
		}
		plain, err := checker.Check(context.Background(), g, props, checker.Options{Workers: 1})
		require.NoError(t, err)
		orbits := map[uint64]bool{}
		// The orbits of the reachable states, by a plain walk.
		seen := map[uint64]bool{}
		stack := append([]uint64(nil), g.inits...)
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[s] {
				continue
			}
			seen[s], orbits[s>>1] = true, true
			g.Successors(s, func(_, to uint64) { stack = append(stack, to) })
		}
		require.Equal(t, len(seen), plain.States)

		var first *checker.Result[uint64, uint64]
		for _, workers := range []int{1, 2, 3} {
			for _, hashedModel := range []bool{false, true} {
				var m checker.Model[uint64, uint64] = g
				opts := checker.Options{Workers: workers}
				if hashedModel {
					m, opts.Store = hashedMirrored{g}, checker.StoreFingerprint
				}
				red, err := checker.Check(context.Background(), checker.Reduce(m, canonPair), props, opts)
				require.NoError(t, err)
				require.True(t, red.Complete)
				require.Equal(t, len(orbits), red.States, "one state per orbit reached")
				require.Equal(t, plain.Deadlocks > 0, red.Deadlocks > 0)
				for i, pr := range red.Properties {
					want := plain.Properties[i]
					require.Equal(t, want.Verdict, pr.Verdict, pr.Name)
					if want.Path == nil {
						require.Nil(t, pr.Path, pr.Name)
						continue
					}
					require.Equal(t, want.Path.Len(), pr.Path.Len(), "%s: not a shortest path", pr.Name)
					requireReplayable(t, checker.Model[uint64, uint64](g), pr.Path)
					p := props[i]
					if p.Step == nil {
						require.Equal(t, p.Kind == checker.Sometimes, p.State(pr.Path.Last()), "%s: the path's end", pr.Name)
					}
					if p.Step != nil {
						from := pr.Path.Init
						if n := pr.Path.Len(); n > 1 {
							from = pr.Path.Steps[n-2].State
						}
						require.Positive(t, pr.Path.Len())
						last := pr.Path.Steps[pr.Path.Len()-1]
						require.Equal(t, p.Kind == checker.Sometimes, p.Step(from, last.Label, last.State), "%s: the last step", pr.Name)
					}
				}
				if red.Deadlock != nil {
					requireReplayable(t, checker.Model[uint64, uint64](g), red.Deadlock)
					require.Equal(t, plain.Deadlock.Len(), red.Deadlock.Len())
					var n int
					g.Successors(red.Deadlock.Last(), func(_, _ uint64) { n++ })
					require.Zero(t, n, "the deadlock path ends at a state with successors")
				}
				if first == nil {
					first = &red
					continue
				}
				require.Equal(t, first.States, red.States)
				require.Equal(t, first.Transitions, red.Transitions)
				for i := range red.Properties {
					require.Equal(t, first.Properties[i].Path, red.Properties[i].Path, "the same path at every worker count")
				}
			}
		}
	})
}

// TestReduceRejectsNonSymmetry: a map that merges states with different
// futures is caught when the path through the merged state is rebuilt.
// Node 0 goes to 3; the map sends 3 to 2, whose successor 4 is bad; 3 has
// no successors.
func TestReduceRejectsNonSymmetry(t *testing.T) {
	g := graph[int]{Inits: []int{0}, Adj: [][]edge[int]{{{0, 3}}, nil, {{1, 4}}, nil, nil}}
	bad := []checker.Property[int, int]{{Name: "no-4", Kind: checker.Always, State: func(s int) bool { return s != 4 }}}
	canon := func(s int) int {
		if s == 3 {
			return 2
		}
		return s
	}
	_, err := checker.Check(context.Background(), checker.Reduce[int, int](g, canon), bad, checker.Options{})
	require.ErrorIs(t, err, checker.ErrNotSymmetry)

	plain, err := checker.Check(context.Background(), g, bad, checker.Options{})
	require.NoError(t, err)
	require.Equal(t, checker.Holds, plain.Properties[0].Verdict)
}

// ExampleReduce checks a ring of 8 nodes that can be walked both ways from
// node 0: the reflection x ↦ -x (mod 8) is a symmetry, so the reduced search
// stores 5 orbits ({0}, {1,7}, {2,6}, {3,5}, {4}) where the plain one stores
// 8, and the witness of "reach 3 or 5" is still 3 steps long, a run of the
// ring itself.
func ExampleReduce() {
	type ringModel = checker.Model[int, string]
	var m ringModel = ring{N: 8, Both: true}
	reach := []checker.Property[int, string]{{Name: "reach-3-or-5", Kind: checker.Sometimes,
		State: func(s int) bool { return s == 5 || s == 3 }}}
	reflect := func(s int) int { return min(s, (8-s)%8) }
	plain, _ := checker.Check(context.Background(), m, reach, checker.Options{})
	red, _ := checker.Check(context.Background(), checker.Reduce(m, reflect), reach, checker.Options{})
	fmt.Println(plain.States, red.States, red.Properties[0].Path.Len(), red.Properties[0].Path.Last())
	// Output: 8 5 3 3
}
