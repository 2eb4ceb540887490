package checker_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/timewait/timewait/checker"
)

// famGraph is a family of graphs over the same nodes: member i's successors
// of node k are succ[i][k]. Keys are nodes and every member's concrete
// state is the node itself, so a key's members share a transition exactly
// when their successor lists agree there, which Successors groups.
type famGraph struct {
	inits []uint64
	succ  [][][]uint64 // member, node → successors
	weak  uint64       // if nonzero, Hash is weak: keys equal modulo weak share it (exact stores only)
}

func (g famGraph) Init() []uint64                  { return g.inits }
func (g famGraph) Concrete(k uint64, _ int) uint64 { return k }
func (g famGraph) Hash(k uint64) uint64 {
	if g.weak != 0 {
		k %= g.weak
	}
	return hashed{}.Hash(k)
}

func (g famGraph) Successors(k uint64, members uint64, emit func(uint64, uint64, uint8, uint64, uint64)) {
	done := uint64(0)
	for i := range g.succ {
		if members&(1<<i) == 0 || done&(1<<i) != 0 {
			continue
		}
		group := uint64(0)
		for j := i; j < len(g.succ); j++ {
			if members&(1<<j) != 0 && slices.Equal(g.succ[j][k], g.succ[i][k]) {
				group |= 1 << j
			}
		}
		done |= group
		for o, to := range g.succ[i][k] {
			emit(group, k, uint8(o), to, to)
		}
	}
}

// member is member i of g as a plain model, the reference.
type member struct {
	g famGraph
	i int
}

func (m member) Init() []uint64 { return m.g.inits }
func (m member) Successors(s uint64, emit func(uint8, uint64)) {
	for o, to := range m.g.succ[m.i][s] {
		emit(uint8(o), to)
	}
}

// genFamily draws a base graph and members that each change the successors
// of a few nodes (as TIME-WAIT's length changes a few transitions).
func genFamily(t *rapid.T) famGraph {
	nodes := rapid.IntRange(1, 400).Draw(t, "nodes")
	members := rapid.IntRange(1, 6).Draw(t, "members")
	drawSucc := func(label string) []uint64 {
		out := rapid.SliceOfN(rapid.Uint64Range(0, uint64(nodes-1)), 0, 4).Draw(t, label)
		if len(out) == 0 && rapid.IntRange(0, 9).Draw(t, label+"-live") > 0 {
			out = []uint64{0} // deadlocks are rare, not absent
		}
		return out
	}
	base := make([][]uint64, nodes)
	for k := range base {
		base[k] = drawSucc(fmt.Sprint("base", k))
	}
	g := famGraph{inits: []uint64{0}}
	for i := 0; i < members; i++ {
		s := slices.Clone(base)
		for c := rapid.IntRange(0, 5+nodes/10).Draw(t, "changes"); c > 0; c-- {
			k := rapid.IntRange(0, nodes-1).Draw(t, "changed")
			s[k] = drawSucc(fmt.Sprint("m", i, "k", k))
		}
		g.succ = append(g.succ, s)
	}
	return g
}

// TestCheckFamilyMatchesMembers compares CheckFamily with a plain Check of
// each member on random graph families: a member not dropped has exactly
// the member's states and transitions and no violation; a member is
// dropped exactly when Check finds a violation (or a deadlock, unless
// allowed); every violation reported is real. Workers and stores vary
// (the exact table, the reference map, fingerprints), including the switch
// from exact keys to fingerprints, and so, for the exact stores, does the
// quality of the hash.
func TestCheckFamilyMatchesMembers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := genFamily(t)
		bad := rapid.Uint64Range(0, 400).Draw(t, "bad")
		props := []checker.Property[uint64, uint8]{
			{Name: "never-bad", Kind: checker.Always, State: func(s uint64) bool { return s != bad }},
			{Name: "no-3-to-odd", Kind: checker.Always, Step: func(from uint64, _ uint8, to uint64) bool {
				return from%17 != 3 || to%2 == 0
			}},
		}
		opts := checker.FamilyOptions{
			Workers:       rapid.IntRange(1, 3).Draw(t, "workers"),
			Store:         rapid.SampledFrom([]checker.StoreMode{checker.StoreAuto, checker.StoreExact, checker.StoreFingerprint, checker.StoreMap}).Draw(t, "store"),
			ExactLimit:    rapid.SampledFrom([]int{0, 1, 2, 5, 20, 50}).Draw(t, "exact-limit"),
			AllowDeadlock: rapid.Bool().Draw(t, "allow-deadlock"),
		}
		opts = checker.WithFamilyBlock(opts, rapid.SampledFrom([]int{0, 1, 2, 7}).Draw(t, "block"))
		if opts.Store == checker.StoreExact || opts.Store == checker.StoreMap {
			// Keys that share a fingerprint must still be told apart, in
			// the store and wherever the expand phase merges targets.
			g.weak = rapid.SampledFrom([]uint64{0, 2, 3, 7}).Draw(t, "weak")
		}
		res, err := checker.CheckFamily[uint64, uint8](context.Background(), g, len(g.succ), props, opts)
		require.NoError(t, err)
		require.True(t, res.Complete)
		if opts.Store == checker.StoreAuto {
			require.Contains(t, []checker.StoreMode{checker.StoreExact, checker.StoreFingerprint}, res.Store)
		} else {
			require.Equal(t, opts.Store, res.Store, "the store in use")
		}
		for i := range g.succ {
			ref, err := checker.Check[uint64, uint8](context.Background(), member{g, i}, props, checker.Options{Workers: 1})
			require.NoError(t, err)
			mr := res.Members[i]
			violated := false
			for p := range props {
				v := ref.Properties[p].Verdict == checker.Violated
				violated = violated || v
				if mr.Violated[p] {
					require.True(t, v, "member %d: family reports %s violated, Check does not", i, props[p].Name)
				}
			}
			dead := ref.Deadlock != nil
			require.Equal(t, violated || dead && !opts.AllowDeadlock, mr.Dropped, "member %d dropped", i)
			if !mr.Dropped {
				require.Equal(t, ref.States, mr.States, "member %d states", i)
				require.Equal(t, ref.Transitions, mr.Transitions, "member %d transitions", i)
				require.Equal(t, dead, mr.Deadlock, "member %d deadlock", i)
			}
		}
	})
}

// TestFamilyStoresAgree runs the family search on one worker (where what
// a dropped member reached does not depend on timing) with each store and
// requires the same result from each: keys, expansions and every member's
// figures, against the map store as the reference. StoreAuto switches to
// fingerprints after a few keys, so the conversion runs in most cases.
func TestFamilyStoresAgree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := genFamily(t)
		bad := rapid.Uint64Range(0, 400).Draw(t, "bad")
		props := []checker.Property[uint64, uint8]{
			{Name: "never-bad", Kind: checker.Always, State: func(s uint64) bool { return s != bad }},
		}
		limit := rapid.IntRange(1, 30).Draw(t, "exact-limit")
		maxStates := rapid.SampledFrom([]int{0, 5, 50}).Draw(t, "max-states")
		run := func(store checker.StoreMode) checker.FamilyResult {
			res, err := checker.CheckFamily[uint64, uint8](context.Background(), g, len(g.succ), props,
				checker.FamilyOptions{Workers: 1, Store: store, ExactLimit: limit, MaxStates: maxStates})
			require.NoError(t, err)
			res.Store, res.Collision, res.PeakBytes = 0, 0, 0
			return res
		}
		ref := run(checker.StoreMap)
		for _, store := range []checker.StoreMode{checker.StoreExact, checker.StoreFingerprint, checker.StoreAuto} {
			require.Equal(t, ref, run(store), "%v", store)
		}
	})
}

// TestFamilyDroppedKeys: a key reached only by members dropped in the same
// insert phase is not stored, in any store. Node 0 leads to 1 (which
// violates the property) and twice to 2: the member is dropped when 0 is
// expanded, and 2 arrives with no member left.
func TestFamilyDroppedKeys(t *testing.T) {
	g := famGraph{inits: []uint64{0}, succ: [][][]uint64{{{1, 2, 2}, {}, {}}}}
	props := []checker.Property[uint64, uint8]{{Name: "not-1", Kind: checker.Always, State: func(s uint64) bool { return s != 1 }}}
	for _, store := range []checker.StoreMode{checker.StoreMap, checker.StoreExact, checker.StoreFingerprint, checker.StoreAuto} {
		for _, bound := range []int{0, 3} {
			res, err := checker.CheckFamily[uint64, uint8](context.Background(), g, 1, props,
				checker.FamilyOptions{Workers: 1, Store: store, MaxStates: bound, AllowDeadlock: true})
			require.NoError(t, err)
			require.True(t, res.Complete, "%v, max-states %d", store, bound)
			require.True(t, res.Members[0].Dropped)
			require.Equal(t, 2, res.Keys, "%v: keys (0 and 1)", store)
		}
	}
}

// TestCheckFamilyShares checks that members with equal graphs cost one
// expansion per key, and that a bound stops the search honestly.
func TestCheckFamilyShares(t *testing.T) {
	succ := make([][]uint64, 1000)
	for k := range succ {
		succ[k] = []uint64{uint64((k + 1) % 1000), uint64((k * 7) % 1000)}
	}
	g := famGraph{inits: []uint64{0}, succ: [][][]uint64{succ, succ, succ}}
	res, err := checker.CheckFamily[uint64, uint8](context.Background(), g, 3, nil, checker.FamilyOptions{})
	require.NoError(t, err)
	require.True(t, res.Complete)
	require.Equal(t, 1000, res.Keys)
	require.Equal(t, 1000, res.Expansions)
	for _, mr := range res.Members {
		require.Equal(t, 1000, mr.States)
		require.Equal(t, 2000, mr.Transitions)
	}

	res, err = checker.CheckFamily[uint64, uint8](context.Background(), g, 3, nil, checker.FamilyOptions{MaxStates: 100})
	require.NoError(t, err)
	require.False(t, res.Complete)
	require.Equal(t, "max-states", res.StopReason)

	_, err = checker.CheckFamily[uint64, uint8](context.Background(), g, 3, []checker.Property[uint64, uint8]{{Name: "w", Kind: checker.Sometimes}}, checker.FamilyOptions{})
	require.Error(t, err)
	_, err = checker.CheckFamily[uint64, uint8](context.Background(), g, 65, nil, checker.FamilyOptions{})
	require.Error(t, err)
}

// TestFamilyMemoryCountMatchesHeld checks what the family search's memory
// bound counts: after every batch the running count must equal a recount of
// the store, the level's blocks and every worker's buffers from their
// capacities (leaving out a worker's target buffers or its merge set makes
// it fail), and PeakBytes must cover every recount.
func TestFamilyMemoryCountMatchesHeld(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := genFamily(t)
		var audits int
		var most int64
		opts := checker.FamilyOptions{
			Workers:    rapid.IntRange(1, 3).Draw(t, "workers"),
			Store:      rapid.SampledFrom([]checker.StoreMode{checker.StoreAuto, checker.StoreExact, checker.StoreFingerprint, checker.StoreMap}).Draw(t, "store"),
			ExactLimit: rapid.SampledFrom([]int{0, 5, 50}).Draw(t, "exact-limit"),
		}
		opts = checker.WithFamilyBlock(opts, rapid.SampledFrom([]int{0, 1, 2, 7}).Draw(t, "block"))
		opts = checker.WithFamilyAudit(opts, func(counted, recount int64) {
			audits++
			most = max(most, recount)
			if counted != recount {
				t.Fatalf("audit %d: the bound counted %d bytes, the search held %d", audits, counted, recount)
			}
		})
		res, err := checker.CheckFamily[uint64, uint8](context.Background(), g, len(g.succ), nil, opts)
		require.NoError(t, err)
		require.Positive(t, audits, "no batch was audited")
		require.GreaterOrEqual(t, res.PeakBytes, most, "PeakBytes misses what the search held")
	})
}
