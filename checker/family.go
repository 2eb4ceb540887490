package checker

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// FamilyModel is a family of up to 64 transition systems (its members,
// numbered from 0) whose states share one encoding, the key: a key may be a
// state of several members, which then have the same transitions from it
// except where the family says otherwise. CheckFamily explores all members
// at once, expanding a key once for all the members that reach it.
type FamilyModel[S comparable, L any] interface {
	// Init returns the keys of the initial states, shared by every member.
	Init() []S
	// Concrete returns member i's state with key k.
	Concrete(k S, i int) S
	// Successors emits the transitions of the members in the set members
	// (bit i: member i) from the key k. The members of one emission share
	// it: from and to are the concrete states of one of them, and toKey
	// the target's key, the same for all of them. A member with no
	// transition from k has none emitted.
	Successors(k S, members uint64, emit func(members uint64, from S, label L, to S, toKey S))
	// Hash returns a well-mixed 64-bit fingerprint of a key.
	Hash(k S) uint64
}

// FamilyOptions bound and observe CheckFamily.
type FamilyOptions struct {
	// MaxStates, if positive, bounds the number of keys stored; storing
	// more stops the search (StopReason "max-states").
	MaxStates int
	// MaxMemory, if positive, bounds in bytes the visited set, the levels
	// and the candidate buffers; exceeding it stops the search (StopReason
	// "memory"). Both bounds and cancellation are checked after each batch
	// of 16,384 expansions, so the search may pass a bound by one batch's
	// worth before it stops.
	MaxMemory int64
	// Store selects the visited set as for Check: StoreAuto keeps keys
	// exactly up to ExactLimit keys, then switches to fingerprints.
	Store StoreMode
	// ExactLimit is StoreAuto's switch point; 0 means DefaultExactLimit.
	ExactLimit int
	// Workers is the number of goroutines that expand keys; 0 means
	// runtime.GOMAXPROCS(0). Results do not depend on it.
	Workers int
	// AllowDeadlock keeps following a member that has a state with no
	// successor; by default the member is dropped there, like a violation.
	AllowDeadlock bool
	// Progress, if non-nil, is called about every ProgressEvery (default
	// one second) from the calling goroutine.
	Progress      func(Progress)
	ProgressEvery time.Duration
	_             struct{}

	// block is the number of items per level block (0: famBlock); tests
	// set it small so that small graphs' levels span several blocks.
	block int
	// audit, if set, is called after every batch with the memory the
	// bounds counted and a recount of what the search then held (famHeld):
	// they are equal unless the running count leaves out a buffer.
	audit func(counted, recount int64)
}

// famHeld recounts the memory a family search holds from the capacities
// of its arrays: the store's figure, the level's blocks, and every slice
// field of every worker but those famUncounted names (a slice of slices
// counts its slices' capacities). Only the tests' audit hook calls it.
func famHeld[S comparable](st *famStore[S], level [][]famItem[S], ws []*famWorker[S]) int64 {
	b := st.bytes()
	for _, seg := range level {
		b += int64(cap(seg)) * int64(unsafe.Sizeof(famItem[S]{}))
	}
	for _, w := range ws {
		b += sliceFieldBytes(reflect.ValueOf(w).Elem(), famUncounted)
	}
	return b
}

// famUncounted reports whether the memory bounds leave out famWorker's
// slice field name: one key's targets (scratch) and the per-member and
// per-property counts, small beside the candidates and the levels.
func famUncounted(name string) bool {
	switch name {
	case "scratch", "states", "trans", "viol":
		return true
	}
	return false
}

// MemberResult is what CheckFamily found for one member.
type MemberResult struct {
	// States and Transitions count the member's distinct states and its
	// transitions. They are the member's whole space (what Check would
	// count) only when the family search is complete and the member was
	// not dropped.
	States, Transitions int
	// Violated has one entry per property: whether a state or transition
	// of the member that violates it was met before the member was dropped
	// (so at least the property that dropped it).
	Violated []bool
	// Deadlock says whether the member has a state with no successor.
	Deadlock bool
	// Dropped says the member stopped being followed at its first
	// violation (or deadlock, unless AllowDeadlock): its counts are partial.
	Dropped bool
}

// FamilyResult is the result of CheckFamily.
type FamilyResult struct {
	Members []MemberResult
	// Keys and Expansions count the distinct keys stored and the
	// Successors calls (one per key and arrival of new members). When
	// members are dropped they vary slightly from run to run, since how far
	// a dropped member got depends on timing.
	Keys       int
	Expansions int
	Complete   bool   // every member not dropped was explored completely
	StopReason string // why an incomplete search stopped: "max-states", "memory" or "cancelled"
	Store      StoreMode
	Collision  float64 // as Result.Collision, over the keys
	PeakBytes  int64   // the largest visited set plus levels held
}

type famItem[S comparable] struct {
	k    S
	mask uint64
}

// famShards is the number of parts of the visited set; during an insert
// phase each part is written by one worker.
const famShards = 256

// famStore maps keys to the set of members that reached them: exactly (in
// exact tables, or in the reference Go maps for StoreMap), or by 64-bit
// fingerprint in open-addressing tables. It is split into famShards shards
// by the fingerprint's top bits.
type famStore[S comparable] struct {
	shards [famShards]famShard[S]
	fp     bool
}

// famShard is one shard, in one of three modes: tab (exact), maps
// (StoreMap) or slots (fingerprints).
type famShard[S comparable] struct {
	tab   *exactTable[S, uint64]
	exact map[S]uint64
	slots []famSlot // fingerprint mode: len is a power of two
	n     int
}

type famSlot struct{ fp, mask uint64 }

func famShardOf(fp uint64) int { return int(fp >> 56) }

// newFamStore returns an empty store: StoreAuto starts exact.
func newFamStore[S comparable](mode StoreMode) *famStore[S] {
	t := &famStore[S]{fp: mode == StoreFingerprint}
	for i := range t.shards {
		switch mode {
		case StoreFingerprint:
			t.shards[i].grow()
		case StoreMap:
			t.shards[i].exact = map[S]uint64{}
		default:
			t.shards[i].tab = &exactTable[S, uint64]{}
		}
	}
	return t
}

// mode is the store in use: StoreExact, StoreFingerprint or StoreMap.
func (t *famStore[S]) mode() StoreMode {
	switch {
	case t.fp:
		return StoreFingerprint
	case t.shards[0].exact != nil:
		return StoreMap
	}
	return StoreExact
}

func (t *famStore[S]) len() int {
	n := 0
	for i := range t.shards {
		n += t.shards[i].n
	}
	return n
}

// add records that the members of mask reach key k (fingerprint fp) and
// returns those that had not. A key no member reaches (mask 0: its members
// were dropped) is not stored, in any mode, so that the stores agree on the
// keys they count.
func (sh *famShard[S]) add(k S, fp, mask uint64) uint64 {
	if mask == 0 {
		return 0
	}
	if sh.tab != nil {
		old, isNew := sh.tab.insert(&k, fp)
		if isNew {
			sh.n++
		}
		nw := mask &^ *old
		*old |= nw
		return nw
	}
	if sh.exact != nil {
		old, ok := sh.exact[k]
		if !ok {
			sh.n++
		}
		nw := mask &^ old
		if nw != 0 {
			sh.exact[k] = old | nw
		}
		return nw
	}
	if fp == 0 {
		fp = 1 // 0 marks an empty slot
	}
	if (sh.n+1)*4 > len(sh.slots)*3 {
		sh.grow()
	}
	m := uint64(len(sh.slots) - 1)
	for i := fp & m; ; i = (i + 1) & m {
		s := &sh.slots[i]
		switch s.fp {
		case fp:
			nw := mask &^ s.mask
			s.mask |= nw
			return nw
		case 0:
			*s = famSlot{fp, mask}
			sh.n++
			return mask
		}
	}
}

// covers reports whether every member of mask already reaches key k
// (fingerprint fp), so that adding it would change nothing. It only reads:
// the expand phase calls it concurrently, while nothing is added.
func (sh *famShard[S]) covers(k S, fp, mask uint64) bool {
	if sh.tab != nil {
		old := sh.tab.find(&k, fp)
		return old != nil && mask&^*old == 0
	}
	if sh.exact != nil {
		old, ok := sh.exact[k]
		return ok && mask&^old == 0
	}
	if fp == 0 {
		fp = 1
	}
	m := uint64(len(sh.slots) - 1)
	for i := fp & m; ; i = (i + 1) & m {
		switch s := &sh.slots[i]; s.fp {
		case fp:
			return mask&^s.mask == 0
		case 0:
			return false
		}
	}
}

// touch loads the home slot of fp, so that the cache misses of several
// insertions overlap.
func (sh *famShard[S]) touch(fp uint64) uint64 {
	if sh.tab != nil {
		return sh.tab.touch(fp)
	}
	if sh.exact != nil {
		return 0
	}
	return sh.slots[fp&uint64(len(sh.slots)-1)].fp
}

func (sh *famShard[S]) grow() {
	old := sh.slots
	sh.slots = make([]famSlot, max(2*len(old), 64))
	m := uint64(len(sh.slots) - 1)
	for _, s := range old {
		if s.fp == 0 {
			continue
		}
		i := s.fp & m
		for sh.slots[i].fp != 0 {
			i = (i + 1) & m
		}
		sh.slots[i] = s
	}
}

// toFingerprints converts an exact store to fingerprint tables.
func (t *famStore[S]) toFingerprints(hash func(S) uint64) {
	t.fp = true
	old := make([]famShard[S], famShards)
	for i := range t.shards {
		sh := &t.shards[i]
		old[i] = *sh
		*sh = famShard[S]{}
		sh.grow()
	}
	// Each old shard is dropped as soon as it is converted, so that the
	// two stores are not held whole at once.
	for i := range old {
		add := func(k S, mask uint64) {
			fp := hash(k)
			t.shards[famShardOf(fp)].add(k, fp, mask)
		}
		if o := old[i].tab; o != nil {
			o.each(func(k *S, mask *uint64) { add(*k, *mask) })
		}
		for k, mask := range old[i].exact {
			add(k, mask)
		}
		old[i] = famShard[S]{}
	}
}

// bytes is the memory the store holds: the tables exactly, the maps
// estimated from their entries.
func (t *famStore[S]) bytes() int64 {
	var b int64
	for i := range t.shards {
		sh := &t.shards[i]
		switch {
		case sh.tab != nil:
			b += sh.tab.bytes()
		case sh.exact != nil:
			var k S
			// A Go map holds about 1.3 slots per key of key, value and control byte.
			b += int64(float64(sh.n) * 1.3 * float64(unsafe.Sizeof(k)+9))
		default:
			b += int64(len(sh.slots)) * int64(unsafe.Sizeof(famSlot{}))
		}
	}
	return b
}

// famCand is a transition's target found in an expand phase, waiting for the
// insert phase: its key, fingerprint and the members that reach it.
type famCand[S comparable] struct {
	k       S
	fp      uint64
	members uint64
}

// famBlock is the number of items in a block of a level: the unit the
// levels are stored, reused and expanded (one batch) in.
const famBlock = 16384

// famWorker is one goroutine's share of a family search: its part of the
// next level and its counts, merged when the level ends.
type famWorker[S comparable] struct {
	cands      [][]famCand[S] // expand phase output, by the worker that owns the key's shard
	scratch    []famCand[S]   // expand phase: one key's transitions
	emitted    int            // expand phase: transitions, for progress
	next       [][]famItem[S] // insert phase output: the next level, in blocks of block items
	block      int
	free       [][]famItem[S] // empty blocks to fill
	states     []int          // per member
	trans      []int          // per member
	viol       []uint64
	dead       uint64
	sink       uint64 // keeps the touch loads alive
	expansions int
	// The targets of the items being expanded (one claim), by key, so that
	// a key reached again is merged into its first target (see merge).
	set      []famRef // open addressing, linear probing, at most half full; fp 0 = empty
	setShift uint     // 64 - log2(len(set))
	setN     int
}

// famRef locates a target in a worker's candidate buffers: cands[g][pos].
type famRef struct {
	fp     uint64
	g, pos uint32
}

// merge looks for an earlier target of the current claim with key k
// (fingerprint fp; in fingerprint mode, byFp, one with the same
// fingerprint, which the store takes for the same key) and, if there is
// one, adds members to it and returns true. The insert phase would have
// added the two in turn, reaching the same members and storing the same
// key once; merged, the key costs one look-up, not two, and becomes at
// most one item of the next level. The per-member counts do not depend on
// it, as they do not depend on the order of the insert phase; the
// expansions (FamilyResult.Expansions) can be fewer.
func (w *famWorker[S]) merge(k *S, fp, members uint64, byFp bool) bool {
	if w.setN == 0 {
		return false
	}
	fp = max(fp, 1)
	m := len(w.set) - 1
	for i := int(fp * 0x9e3779b97f4a7c15 >> w.setShift); ; i = (i + 1) & m {
		r := &w.set[i]
		if r.fp == 0 {
			return false
		}
		if r.fp == fp {
			if c := &w.cands[r.g][r.pos]; byFp || c.k == *k {
				c.members |= members
				return true
			}
		}
	}
}

// resetSet empties the worker's set for the next claim, or drops it when
// it is more than eight times larger than the last claim needed (as
// chunk.resetSet).
func (w *famWorker[S]) resetSet() {
	switch {
	case w.setN == 0:
	case len(w.set) > minSet && 8*w.setN < len(w.set):
		w.set, w.setN = nil, 0
	default:
		clear(w.set)
		w.setN = 0
	}
}

// remember adds the target just appended to cands[g] to the claim's set.
func (w *famWorker[S]) remember(fp uint64, g int) {
	if 2*(w.setN+1) > len(w.set) {
		old := w.set
		n := max(2*len(old), minSet)
		w.set, w.setN = make([]famRef, n), 0
		w.setShift = uint(64 - bits.Len(uint(n-1)))
		for _, r := range old {
			if r.fp != 0 {
				w.insertRef(r)
			}
		}
	}
	w.insertRef(famRef{max(fp, 1), uint32(g), uint32(len(w.cands[g]) - 1)})
}

func (w *famWorker[S]) insertRef(r famRef) {
	m := len(w.set) - 1
	i := int(r.fp * 0x9e3779b97f4a7c15 >> w.setShift)
	for w.set[i].fp != 0 {
		i = (i + 1) & m
	}
	w.set[i] = r
	w.setN++
}

// push appends an item to the worker's part of the next level.
func (w *famWorker[S]) push(it famItem[S]) {
	if n := len(w.next); n == 0 || len(w.next[n-1]) == w.block {
		var b []famItem[S]
		if f := len(w.free); f > 0 {
			b, w.free = w.free[f-1], w.free[:f-1]
		} else {
			b = make([]famItem[S], 0, w.block)
		}
		w.next = append(w.next, b)
	}
	n := len(w.next) - 1
	w.next[n] = append(w.next[n], it)
}

// CheckFamily explores every member of fm (n members, 1 ≤ n ≤ 64) and
// evaluates props, which must all be Always properties, on each: a
// member's state predicates on its states, its step predicates on its
// transitions. It visits each key once per set of members that first
// reach it together, so members with mostly equal state spaces cost
// little more than one of them. The predicates must give the same answer
// on the concrete states of every member that shares a key (for a TW
// family: they must not read a TIME-WAIT countdown).
//
// A member is dropped — no longer followed — at its first violation of any
// property or its first deadlock (unless opts.AllowDeadlock): the caller
// then needs a plain search of that member for a counterexample, and its
// counts stop. The search ends when the space is explored, every member is
// dropped, or a bound or ctx stops it (incomplete). The order of
// exploration is breadth-first by key, but unlike Check this finds no
// paths: it decides, for each member, whether any violation or deadlock is
// reachable, and counts the states and transitions of the members not
// dropped, which do not depend on the order or on the number of workers.
func CheckFamily[S comparable, L any](ctx context.Context, fm FamilyModel[S, L], n int, props []Property[S, L], opts FamilyOptions) (FamilyResult, error) {
	if n < 1 || n > 64 {
		return FamilyResult{}, fmt.Errorf("checker: a family has 1..64 members, got %d", n)
	}
	for _, p := range props {
		if p.Kind != Always {
			return FamilyResult{}, fmt.Errorf("checker: CheckFamily takes Always properties; %s is not", p.Name)
		}
	}
	if opts.Store > StoreMap {
		return FamilyResult{}, errors.New("checker: unknown store mode")
	}
	limit := opts.ExactLimit
	if limit <= 0 {
		limit = DefaultExactLimit
	}
	every := opts.ProgressEvery
	if every <= 0 {
		every = time.Second
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	res := FamilyResult{Members: make([]MemberResult, n), Complete: true}
	all := ^uint64(0) >> (64 - n)
	var active atomic.Uint64
	active.Store(all)
	st := newFamStore[S](opts.Store)
	block := famBlock
	if opts.block > 0 {
		block = opts.block
	}
	ws := make([]*famWorker[S], workers)
	for w := range ws {
		ws[w] = &famWorker[S]{cands: make([][]famCand[S], workers), block: block, states: make([]int, n), trans: make([]int, n), viol: make([]uint64, len(props))}
	}
	for i := range res.Members {
		res.Members[i].Violated = make([]bool, len(props))
	}
	forEach := func(mask uint64, f func(i int)) {
		for ; mask != 0; mask &= mask - 1 {
			f(bits.TrailingZeros64(mask))
		}
	}
	// stored accounts, in worker w, for a key newly reached by the members
	// of mask: counts, then state predicates on one member's state.
	stored := func(w *famWorker[S], k S, mask uint64) {
		forEach(mask, func(i int) { w.states[i]++ })
		var s S
		have := false
		for p := range props {
			if props[p].State == nil {
				continue
			}
			if !have {
				s, have = fm.Concrete(k, bits.TrailingZeros64(mask)), true
			}
			if !props[p].State(s) {
				w.viol[p] |= mask
				active.And(^mask)
			}
		}
	}
	// A level is kept in blocks of block items, filled by the workers in
	// the insert phase; at a level's end the expanded level's blocks go back
	// to the workers to fill. Nothing is copied from level to level, and
	// after the largest level no memory is allocated for the levels: on a
	// machine where touching fresh memory is slow this matters as much as
	// the copying.
	var inits []famItem[S]
	for _, k := range fm.Init() {
		fp := fm.Hash(k)
		if nw := st.shards[famShardOf(fp)].add(k, fp, all); nw != 0 {
			inits = append(inits, famItem[S]{k, nw})
			stored(ws[0], k, nw)
		}
	}
	level := [][]famItem[S]{inits}
	levelLen := func() (n int) {
		for _, seg := range level {
			n += len(seg)
		}
		return n
	}
	itemSize := int64(unsafe.Sizeof(famItem[S]{}))
	candSize := int64(unsafe.Sizeof(famCand[S]{}))
	start := time.Now()
	depth, transitions := 0, 0
	var nextLen int
	memory := func() int64 {
		n := nextLen
		for _, seg := range level {
			n += cap(seg)
		}
		b := st.bytes() + int64(n)*itemSize
		for _, w := range ws {
			b += int64(cap(w.set)) * int64(unsafe.Sizeof(famRef{}))
			for _, cs := range w.cands {
				b += int64(cap(cs)) * candSize
			}
		}
		return b
	}

	// expand is the expand phase of items in worker w: transitions counted,
	// step predicates evaluated, and the targets (with several workers: not
	// already reached by all their members) appended to w.cands[g] for the
	// worker g that owns their shard (the insert phase's order within a
	// shard does not matter: the counts do not depend on it). A key's targets are buffered and their
	// home slots loaded before they are looked up, so that the cache misses
	// overlap. The look-up is made only with several workers: it moves
	// work from the insert phase, where a worker handles its own shards
	// whatever their share, to the expand phase, which the workers share
	// evenly (+10% keys/s on two workers in BenchmarkSharedSearch at MSL 3);
	// on one worker it is a second look-up of the targets that are new
	// (-3 to -8%).
	filter := workers > 1
	expand := func(w *famWorker[S], items []famItem[S]) {
		w.resetSet()
		var (
			emitted  uint64
			runMask  uint64
			runCount int
		)
		flush := func() {
			forEach(runMask, func(i int) { w.trans[i] += runCount })
			runMask, runCount = 0, 0
		}
		emit := func(members uint64, from S, label L, to S, toKey S) {
			members &= active.Load()
			if members == 0 {
				return
			}
			if members != runMask {
				flush()
				runMask = members
			}
			runCount++
			emitted |= members
			for p := range props {
				if props[p].Step != nil && !props[p].Step(from, label, to) {
					w.viol[p] |= members
					active.And(^members)
				}
			}
			w.scratch = append(w.scratch, famCand[S]{toKey, fm.Hash(toKey), members})
		}
		for q := range items {
			mask := items[q].mask & active.Load()
			if mask == 0 {
				continue
			}
			w.expansions++
			emitted = 0
			fm.Successors(items[q].k, mask, emit)
			flush()
			if filter {
				for i := range w.scratch {
					w.sink += st.shards[famShardOf(w.scratch[i].fp)].touch(w.scratch[i].fp)
				}
			}
			for i := range w.scratch {
				c := &w.scratch[i]
				if w.merge(&c.k, c.fp, c.members, st.fp) {
					continue
				}
				sh := famShardOf(c.fp)
				if !filter || !st.shards[sh].covers(c.k, c.fp, c.members) {
					g := sh % workers
					w.cands[g] = append(w.cands[g], *c)
					w.remember(c.fp, g)
				}
			}
			w.emitted += len(w.scratch)
			w.scratch = w.scratch[:0]
			if dead := mask &^ emitted & active.Load(); dead != 0 {
				w.dead |= dead
				if !opts.AllowDeadlock {
					active.And(^dead)
				}
			}
		}
	}
	// insert is the insert phase of worker g: every worker's candidates in
	// the shards g owns (shard ≡ g mod workers), which the expand phase put
	// in their own buffers, in order, with the home slots of a run of them
	// loaded first so that their misses overlap.
	insert := func(g int) {
		w := ws[g]
		var sink uint64
		for _, src := range ws {
			cs := src.cands[g]
			for lo := 0; lo < len(cs); lo += 16 {
				run := cs[lo:min(lo+16, len(cs))]
				for i := range run {
					sink += st.shards[famShardOf(run[i].fp)].touch(run[i].fp)
				}
				for i := range run {
					c := &run[i]
					sh := famShardOf(c.fp)
					if nw := st.shards[sh].add(c.k, c.fp, c.members&active.Load()); nw != 0 {
						w.push(famItem[S]{c.k, nw})
						stored(w, c.k, nw)
					}
				}
			}
		}
		w.sink += sink
	}
	parallel := func(f func(w int)) {
		if workers == 1 {
			f(0)
			return
		}
		var wg sync.WaitGroup
		for w := range ws {
			wg.Add(1)
			go func() { defer wg.Done(); f(w) }()
		}
		wg.Wait()
	}

	const chunk = 256
	lastProgress := time.Now()
	stopReason := ""
search:
	for levelLen() > 0 && active.Load() != 0 {
		queue := levelLen()
		for _, seg := range level {
			for lo := 0; lo < len(seg); lo += block {
				items := seg[lo:min(lo+block, len(seg))]
				queue -= len(items)
				var claim atomic.Int64
				parallel(func(w int) {
					for {
						a := int(claim.Add(chunk)) - chunk
						if a >= len(items) {
							return
						}
						expand(ws[w], items[a:min(a+chunk, len(items))])
					}
				})
				parallel(insert)
				nextLen = 0
				for _, w := range ws {
					for g := range w.cands {
						w.cands[g] = w.cands[g][:0]
					}
					transitions += w.emitted
					w.emitted = 0
					nextLen += block * (len(w.next) + len(w.free))
				}
				mem := memory()
				if opts.audit != nil {
					opts.audit(mem, famHeld(st, level, ws))
				}
				switch {
				case ctx.Err() != nil:
					stopReason = "cancelled"
				case opts.MaxStates > 0 && st.len() > opts.MaxStates:
					stopReason = "max-states"
				case opts.MaxMemory > 0 && mem > opts.MaxMemory:
					stopReason = "memory"
				default:
					res.PeakBytes = max(res.PeakBytes, mem)
				}
				if stopReason != "" {
					break search
				}
				if opts.Progress != nil && time.Since(lastProgress) >= every {
					lastProgress = time.Now()
					opts.Progress(Progress{States: st.len(), Transitions: transitions, Depth: depth,
						Queue: queue, Memory: res.PeakBytes, Elapsed: time.Since(start)})
				}
			}
		}
		free := level
		level = nil
		for _, w := range ws {
			level = append(level, w.next...)
			w.next = w.next[:0]
		}
		for i, b := range free {
			if cap(b) == block { // not the initial states' slice
				w := ws[i%len(ws)]
				w.free = append(w.free, b[:0])
			}
		}
		depth++
		if !st.fp && opts.Store == StoreAuto && st.len() > limit {
			st.toFingerprints(fm.Hash)
		}
	}
	if stopReason != "" {
		res.Complete, res.StopReason = false, stopReason
	}
	act := active.Load()
	for _, w := range ws {
		res.Expansions += w.expansions
		for i := range res.Members {
			mr := &res.Members[i]
			mr.States += w.states[i]
			mr.Transitions += w.trans[i]
			mr.Deadlock = mr.Deadlock || w.dead&(1<<i) != 0
			for p := range props {
				mr.Violated[p] = mr.Violated[p] || w.viol[p]&(1<<i) != 0
			}
		}
	}
	for i := range res.Members {
		res.Members[i].Dropped = act&(1<<i) == 0
	}
	res.Keys = st.len()
	res.PeakBytes = max(res.PeakBytes, memory())
	res.Store = st.mode()
	if st.fp {
		res.Collision = collisionBound(res.Keys)
	}
	if res.StopReason == "cancelled" {
		return res, ctx.Err()
	}
	return res, nil
}
