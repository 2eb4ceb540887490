package checker_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/timewait/timewait/checker"
)

// hashed is hashGraph with a good 64-bit hash, so it can be checked with
// fingerprints.
type hashed struct{ hashGraph }

func (h hashed) Hash(s uint64) uint64 {
	x := s*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	x ^= x >> 31
	x *= 0xBF58476D1CE4E5B9
	return x ^ x>>29
}

// seqResult is what a plain sequential breadth-first search reports: the
// semantics the level-synchronous explorer must reproduce at every worker
// count.
type seqResult struct {
	states, transitions, depth, deadlocks int
	complete                              bool
	reason                                string
	props                                 []seqProp
}

type seqProp struct {
	decided                    bool
	states, transitions, depth int
	pathLen                    int
}

// sequential is the reference: one queue, one map, emissions handled one at
// a time exactly as documented for checker.Check.
func sequential(m hashGraph, props []checker.Property[uint64, uint8], opts checker.Options) seqResult {
	var r seqResult
	r.props = make([]seqProp, len(props))
	dist := map[uint64]int{}
	var queue []uint64
	open := len(props)
	halt, dropped := false, false
	limit := opts.MaxStates
	decide := func(i, pathLen int) {
		r.props[i] = seqProp{decided: true, states: len(queue), transitions: r.transitions, depth: r.depth, pathLen: pathLen}
		open--
		if open == 0 && opts.StopWhenDecided {
			halt, r.reason = true, "decided"
		}
	}
	store := func(s uint64, d int) bool {
		if limit > 0 && len(queue) >= limit {
			dropped = true
			if !halt {
				r.reason = "max-states"
			}
			halt = true
			return false
		}
		queue = append(queue, s)
		dist[s] = d
		r.depth = max(r.depth, d)
		for i, p := range props {
			if !r.props[i].decided && p.State != nil && p.State(s) == (p.Kind == checker.Sometimes) {
				decide(i, d)
			}
		}
		return true
	}
	for _, s := range m.Init() {
		if _, ok := dist[s]; ok {
			continue
		}
		if !store(s, 0) || halt {
			break
		}
	}
	head := 0
	truncated := false
	for !halt && head < len(queue) {
		from := queue[head]
		d := dist[from]
		n := 0
		if opts.MaxDepth > 0 && d >= opts.MaxDepth {
			m.Successors(from, func(uint8, uint64) { n++ })
			if n > 0 {
				truncated = true
			} else {
				r.deadlocks++
			}
			head++
			continue
		}
		m.Successors(from, func(l uint8, to uint64) {
			if halt {
				dropped = true
				return
			}
			n++
			r.transitions++
			for i, p := range props {
				if !r.props[i].decided && p.Step != nil && p.Step(from, l, to) == (p.Kind == checker.Sometimes) {
					decide(i, d+1)
				}
			}
			if _, ok := dist[to]; !ok {
				store(to, d+1)
			}
		})
		if n == 0 {
			r.deadlocks++
		}
		head++
	}
	r.states = len(queue)
	r.complete = !dropped && !truncated && head == len(queue)
	if !r.complete && r.reason == "" {
		r.reason = "max-depth"
	}
	if r.complete {
		r.reason = ""
	}
	for i := range r.props {
		if !r.props[i].decided {
			r.props[i] = seqProp{states: r.states, transitions: r.transitions, depth: r.depth}
		}
	}
	return r
}

func drawBig(t *rapid.T) (hashGraph, []checker.Property[uint64, uint8]) {
	m := hashGraph{N: uint64(rapid.IntRange(50, 6000).Draw(t, "n")), Fanout: uint64(rapid.IntRange(1, 5).Draw(t, "fanout"))}
	mod := uint64(rapid.IntRange(50, 20000).Draw(t, "mod"))
	rem := uint64(rapid.IntRange(0, 49).Draw(t, "rem"))
	lab := uint8(rapid.IntRange(0, 255).Draw(t, "label"))
	props := []checker.Property[uint64, uint8]{
		{Name: "state", Kind: checker.Always, State: func(s uint64) bool { return s%mod != rem }},
		{Name: "step", Kind: checker.Sometimes, Step: func(f uint64, l uint8, to uint64) bool { return l == lab && to > f }},
		{Name: "both", Kind: checker.Always,
			State: func(s uint64) bool { return s%(mod+1) != rem+1 },
			Step:  func(f uint64, l uint8, to uint64) bool { return l != lab+1 }},
		{Name: "never", Kind: checker.Always, State: func(s uint64) bool { return s < m.N }},
	}
	k := rapid.IntRange(0, len(props)).Draw(t, "props")
	return m, props[:k]
}

// TestLevelsMatchSequential checks the level-synchronous explorer against
// the sequential reference on random graphs large enough to be split into
// chunks, at every worker count and with both stores: the same counts,
// verdicts, decision moments and path lengths, and paths that replay.
func TestLevelsMatchSequential(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g, props := drawBig(t)
		opts := checker.Options{
			StopWhenDecided: rapid.Bool().Draw(t, "stop"),
			Workers:         rapid.IntRange(1, 4).Draw(t, "workers"),
		}
		switch rapid.IntRange(0, 3).Draw(t, "bound") {
		case 1:
			opts.MaxStates = rapid.IntRange(1, int(g.N)).Draw(t, "maxStates")
		case 2:
			opts.MaxDepth = rapid.IntRange(1, 12).Draw(t, "maxDepth")
		}
		// Batches of 4 and 8 chunks of 16 states reach the parallel paths
		// (64 states and 4 chunks) with several batches per level.
		opts = checker.WithBatch(opts, rapid.SampledFrom([]int{0, 1, 2, 3, 4, 8}).Draw(t, "batch"))
		// Packed levels: after every level, after levels of 20 or more
		// states, or never.
		opts = checker.WithPackLevel(opts, rapid.SampledFrom([]int{-1, 1, 20}).Draw(t, "packLevel"), true)
		// Without a Hasher the exact store is the reference map; with one,
		// the exact table, fingerprints or auto (exact, then fingerprints).
		var m checker.Model[uint64, uint8] = g
		opts.Store = rapid.SampledFrom([]checker.StoreMode{checker.StoreMap, checker.StoreExact, checker.StoreFingerprint, checker.StoreAuto}).Draw(t, "store")
		if opts.Store != checker.StoreMap {
			m = hashed{g}
			opts.ExactLimit = rapid.SampledFrom([]int{0, 1, 50}).Draw(t, "exactLimit")
		}
		ref := sequential(g, props, opts)
		r, err := checker.Check(ctx, m, props, opts)
		require.NoError(t, err)
		require.Equal(t, ref.states, r.States, "states")
		require.Equal(t, ref.transitions, r.Transitions, "transitions")
		require.Equal(t, ref.depth, r.Depth, "depth")
		require.Equal(t, ref.deadlocks, r.Deadlocks, "deadlocks")
		require.Equal(t, ref.complete, r.Complete, "complete")
		require.Equal(t, ref.reason, r.StopReason, "stop reason")
		for i, p := range r.Properties {
			want := ref.props[i]
			require.Equal(t, want.decided, p.Path != nil, p.Name)
			require.Equal(t, want.states, p.States, "%s: states", p.Name)
			require.Equal(t, want.transitions, p.Transitions, "%s: transitions", p.Name)
			require.Equal(t, want.depth, p.Depth, "%s: depth", p.Name)
			if p.Path != nil {
				require.Equal(t, want.pathLen, p.Path.Len(), "%s: path length", p.Name)
				requireReplayable[uint64, uint8](t, g, p.Path)
			}
		}
	})
}

// TestWorkersAndStoresAgree checks that results, paths included, do not
// depend on the worker count or on the store.
func TestWorkersAndStoresAgree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g, props := drawBig(t)
		stop := rapid.Bool().Draw(t, "stop")
		var base checker.Result[uint64, uint8]
		for i, c := range []struct {
			w, batch, pack int
			store          checker.StoreMode
		}{{1, 0, 0, checker.StoreExact}, {2, 0, 0, checker.StoreExact}, {3, 0, 0, checker.StoreFingerprint}, {1, 0, 0, checker.StoreFingerprint}, {4, 0, 0, checker.StoreAuto},
			{1, 1, 0, checker.StoreFingerprint}, {2, 2, 0, checker.StoreExact}, {2, 4, 0, checker.StoreFingerprint}, {3, 8, 0, checker.StoreExact},
			{1, 0, 1, checker.StoreExact}, {2, 2, 1, checker.StoreFingerprint}, {3, 1, 30, checker.StoreAuto},
			{1, 0, 0, checker.StoreMap}, {2, 2, 1, checker.StoreMap}} {
			r, err := checker.Check[uint64, uint8](ctx, hashed{g}, props, checker.WithPackLevel(checker.WithBatch(checker.Options{
				Workers: c.w, Store: c.store, StopWhenDecided: stop, ExactLimit: 100,
			}, c.batch), c.pack, true))
			require.NoError(t, err)
			r.Elapsed, r.Workers, r.Store, r.Collision, r.VisitedBytes, r.PeakBytes = 0, 0, 0, 0, 0, 0
			if i == 0 {
				base = r
				continue
			}
			require.Equal(t, base, r, "workers %d, store %v, batch %d, packLevel %d", c.w, c.store, c.batch, c.pack)
		}
	})
}

func TestStoreModes(t *testing.T) {
	g := hashGraph{N: 200000, Fanout: 3}
	ref, err := checker.Check[uint64, uint8](ctx, g, nil, checker.Options{Store: checker.StoreAuto})
	require.NoError(t, err)
	require.Equal(t, checker.StoreMap, ref.Store, "no Hasher: auto keeps the map")
	require.Zero(t, ref.Collision)
	noHash, err := checker.Check[uint64, uint8](ctx, g, nil, checker.Options{Store: checker.StoreExact})
	require.NoError(t, err)
	require.Equal(t, checker.StoreMap, noHash.Store, "no Hasher: exact is the map")

	withHash, err := checker.Check[uint64, uint8](ctx, hashed{g}, nil, checker.Options{Store: checker.StoreMap})
	require.NoError(t, err)
	require.Equal(t, checker.StoreMap, withHash.Store, "a Hasher may ask for the map")
	require.Equal(t, ref.VisitedBytes, withHash.VisitedBytes, "the same map, the same figure")

	exact, err := checker.Check[uint64, uint8](ctx, hashed{g}, nil, checker.Options{Store: checker.StoreExact})
	require.NoError(t, err)
	require.Equal(t, checker.StoreExact, exact.Store)
	require.Zero(t, exact.Collision)
	require.Equal(t, ref.States, exact.States)
	require.Equal(t, ref.Transitions, exact.Transitions)

	small, err := checker.Check[uint64, uint8](ctx, hashed{g}, nil, checker.Options{})
	require.NoError(t, err)
	require.Equal(t, checker.StoreExact, small.Store, "auto stays exact within ExactLimit")

	auto, err := checker.Check[uint64, uint8](ctx, hashed{g}, nil, checker.Options{ExactLimit: 1000})
	require.NoError(t, err)
	require.Equal(t, checker.StoreFingerprint, auto.Store, "auto switches past ExactLimit")
	require.Equal(t, ref.States, auto.States)
	require.Greater(t, auto.Collision, 0.0)
	require.Less(t, auto.Collision, 1e-8)

	fp, err := checker.Check[uint64, uint8](ctx, hashed{g}, nil, checker.Options{Store: checker.StoreFingerprint})
	require.NoError(t, err)
	require.Equal(t, ref.States, fp.States)
	require.Equal(t, ref.Transitions, fp.Transitions)
	perState := float64(fp.VisitedBytes) / float64(fp.States)
	require.LessOrEqual(t, perState, 16.0, "fingerprint store bytes per state (the issue-7 target)")
	require.Greater(t, float64(exact.VisitedBytes)/float64(exact.States), perState)
	require.Greater(t, float64(ref.VisitedBytes)/float64(ref.States), perState)
	// The exact table holds each 8-byte state and at most 8/3 slots of 8
	// bytes per state, and an arena at most twice the states held.
	require.LessOrEqual(t, float64(exact.VisitedBytes)/float64(exact.States), 8*2+8*8/3.0)

	_, err = checker.Check[uint64, uint8](ctx, g, nil, checker.Options{Store: checker.StoreFingerprint})
	require.ErrorContains(t, err, "Hasher")
	_, err = checker.Check[uint64, uint8](ctx, g, nil, checker.Options{Store: 9})
	require.Error(t, err)
	for _, s := range []string{"auto", "exact", "fingerprint", "map"} {
		m, err := checker.ParseStoreMode(s)
		require.NoError(t, err)
		require.Equal(t, s, m.String())
	}
	_, err = checker.ParseStoreMode("bitstate")
	require.Error(t, err)
}

// TestMaxMemory checks that a memory bound stops the search honestly, at a
// batch boundary, with the same figures at every worker count.
func TestMaxMemory(t *testing.T) {
	g := hashed{hashGraph{N: 300000, Fanout: 4}}
	props := []checker.Property[uint64, uint8]{{Name: "never", Kind: checker.Always, State: func(s uint64) bool { return s < 300000 }}}
	full, err := checker.Check[uint64, uint8](ctx, g, props, checker.Options{Store: checker.StoreFingerprint})
	require.NoError(t, err)
	require.True(t, full.Complete)
	var first checker.Result[uint64, uint8]
	for w := 1; w <= 3; w++ {
		r, err := checker.Check[uint64, uint8](ctx, g, props, checker.Options{Store: checker.StoreFingerprint, MaxMemory: full.PeakBytes / 2, Workers: w})
		require.NoError(t, err)
		require.False(t, r.Complete)
		require.Equal(t, "memory", r.StopReason)
		require.Equal(t, checker.Incomplete, r.Properties[0].Verdict)
		require.Less(t, r.States, full.States)
		require.LessOrEqual(t, r.PeakBytes, full.PeakBytes/2)
		r.Elapsed, r.Workers = 0, 0
		if w == 1 {
			first = r
		} else {
			require.Equal(t, first, r)
		}
	}
	_, err = checker.Check[uint64, uint8](ctx, g, props, checker.Options{MaxMemory: -1})
	require.Error(t, err)
}

// TestMemoryCountMatchesHeld checks what the memory bound counts: at the
// end of every batch's merge, the bytes counted before the merge (the
// visited set, both level arrays with the next one's growth, and every
// chunk slot's buffers, idle ones included) must equal a recount of the
// level arrays and chunk buffers from the capacities the search then holds,
// and PeakBytes must cover every recount. A figure left out of the running
// count (the next level's growth, an idle slot, a scratch buffer) makes the
// two differ. No property stops the search early: a halted merge may count
// growth it then does not allocate.
func TestMemoryCountMatchesHeld(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g, props := drawBig(t)
		w := rapid.IntRange(1, 3).Draw(t, "workers")
		batch := rapid.SampledFrom([]int{0, 1, 2, 4}).Draw(t, "batch")
		store := rapid.SampledFrom([]checker.StoreMode{checker.StoreExact, checker.StoreFingerprint, checker.StoreAuto, checker.StoreMap}).Draw(t, "store")
		pack := rapid.SampledFrom([]int{-1, 1, 20}).Draw(t, "packLevel")
		var audits int
		var most int64
		opts := checker.WithAudit(checker.WithPackLevel(checker.WithBatch(checker.Options{Workers: w, Store: store, ExactLimit: 100}, batch), pack, true),
			func(counted, recount int64) {
				audits++
				most = max(most, recount)
				if counted != recount {
					t.Fatalf("audit %d: the bound counted %d bytes, the search held %d", audits, counted, recount)
				}
			})
		r, err := checker.Check[uint64, uint8](ctx, hashed{g}, props, opts)
		require.NoError(t, err)
		require.Positive(t, audits, "no batch was merged")
		require.GreaterOrEqual(t, r.PeakBytes, most, "PeakBytes misses what the search held")
	})
}
