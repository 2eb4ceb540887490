package checker

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// noParent marks an initial state in explorer.parent. Because it is the
// largest uint32, at most noParent states can be stored.
const noParent = ^uint32(0)

// ordEscape in explorer.ordinal means the ordinal is in explorer.bigOrd.
const ordEscape = 0xff

// cand is a successor found while expanding a level and not in the visited
// set of earlier levels: a candidate for the next level.
type cand[S comparable] struct {
	s    S
	fp   uint64
	par  uint32 // parent's position in the level
	ord  uint32 // emission ordinal within the parent's Successors call
	trig uint64 // bit k: the state triggers state property stateActive[k]
	acc  bool   // first occurrence in the level (set by the insert phase)
}

// hit is the first transition of a chunk that triggers a step property.
type hit[S comparable, L any] struct {
	ok       bool
	par, ord uint32
	label    L
	to       S
}

// chunk is the work and output of expanding a contiguous run of a level.
type chunk[S comparable, L any] struct {
	in      []S         // the level's states [base, end): a view of a plain level, or inBuf
	inBuf   []S         // the chunk's states decoded from a packed level (reused)
	base    int         // level position of in[0]
	end     int         // level position after the chunk's last state
	cands   []cand[S]   // in (parent, ordinal) order
	fps     []uint64    // the candidates' fingerprints, densely, for the insert phase's scan
	nsucc   []uint32    // emissions per state of [lo, hi)
	hits    []hit[S, L] // per step property of stepActive
	trans   int         // emissions in all
	w       int         // merge: the chunk's stored states (mergeChunk: the compacted prefix of cands)
	off     int         // merge: the next level's position of the first of them
	boff    int         // merge, packed next level: the byte offset of the first of them
	bytes   int         // merge, packed next level: their encodings' length
	recs    []uint64    // merge, fast path: (parent, ordinal) of the accepted candidates
	scratch []cand[S]   // expand: the emissions of touchGroup states (reused)
	anySt   bool        // some candidate has trig set
	sink    uint64      // keeps the touch loads alive
	// The chunk's candidates by fingerprint (see repeat): open addressing,
	// linear probing, at most half full; fingerprint 0 marks an empty slot.
	setFps   []uint64
	setIdx   []uint32 // the candidate's index in cands
	setShift uint     // 64 - log2(len(setFps))
	setN     int
}

// repeat reports whether the chunk already has a candidate equal to *s
// (fingerprint fp): in fingerprint mode one with the same fingerprint (the
// visited set would take them for one state), otherwise the same state.
// Such a repeat can never be a first occurrence, since the earlier
// candidate comes first in (parent, ordinal) order, so the expansion drops
// it instead of leaving it to the insert phase. The chunks, and so the
// candidates dropped, do not depend on the number of workers.
func (c *chunk[S, L]) repeat(s *S, fp uint64, byFp bool) bool {
	if c.setN == 0 {
		return false
	}
	m := len(c.setFps) - 1
	for i := int(fp * 0x9e3779b97f4a7c15 >> c.setShift); ; i = (i + 1) & m {
		switch x := c.setFps[i]; {
		case x == 0:
			return false
		case x == fp && (byFp || c.cands[c.setIdx[i]].s == *s):
			return true
		}
	}
}

// resetSet empties the chunk's set for the next chunk. A set more than
// eight times larger than the last chunk needed (grown once for a chunk of
// huge fan-out) is dropped instead, so that the slot's later chunks do not
// clear it in full each time.
func (c *chunk[S, L]) resetSet() {
	switch {
	case c.setN == 0:
	case len(c.setFps) > minSet && 8*c.setN < len(c.setFps):
		c.setFps, c.setIdx, c.setN = nil, nil, 0
	default:
		clear(c.setFps)
		c.setN = 0
	}
}

// minSet is the size a chunk's or a family worker's set starts at.
const minSet = 1024

// remember adds the last candidate (fingerprint fp) to the chunk's set.
func (c *chunk[S, L]) remember(fp uint64) {
	if 2*(c.setN+1) > len(c.setFps) {
		oldFps, oldIdx := c.setFps, c.setIdx
		n := max(2*len(oldFps), minSet)
		c.setFps, c.setIdx, c.setN = make([]uint64, n), make([]uint32, n), 0
		c.setShift = uint(64 - bits.Len(uint(n-1)))
		for i, x := range oldFps {
			if x != 0 {
				c.insertSet(x, oldIdx[i])
			}
		}
	}
	c.insertSet(fp, uint32(len(c.cands)-1))
}

func (c *chunk[S, L]) insertSet(fp uint64, idx uint32) {
	m := len(c.setFps) - 1
	i := int(fp * 0x9e3779b97f4a7c15 >> c.setShift)
	for c.setFps[i] != 0 {
		i = (i + 1) & m
	}
	c.setFps[i], c.setIdx[i] = fp, idx
	c.setN++
}

// finding records the moment a property was decided: by the state at index
// idx (isStep false) or by the transition (label, to) from it (isStep true).
type finding[S comparable, L any] struct {
	decided            bool
	isStep             bool
	idx                uint32
	from               S // the state at idx
	label              L
	to                 S
	states, trans, dep int
}

// explorer holds the state of one level-synchronous breadth-first search.
//
// Each level is expanded in three phases. Expand (parallel over chunks of the
// level): run Successors, count emissions, evaluate step and state
// predicates, and keep the successors not already visited as candidates.
// Insert (parallel over shard groups): add candidates to the visited set in
// (parent, ordinal) order, marking the first occurrence of each state. Merge
// (sequential): walk the events in (parent, ordinal) order — exactly the order
// in which a sequential breadth-first search meets them — deciding properties,
// applying the state bound and the early stop, and appending the new states
// to the next level. Results are therefore the same for every worker count.
type explorer[S comparable, L any] struct {
	ctx     context.Context
	m       Model[S, L]
	props   []Property[S, L]
	opts    Options
	start   time.Time
	workers int
	hasher  bool

	stateActive, stepActive []int
	open                    int
	found                   []finding[S, L]

	seen    *visited[S]
	inits   []S              // stored initial states, index = global index
	initial []S              // under Reduce: the model's initial state each of inits stands for
	canon   func(S) S        // under Reduce: the orbit's representative; nil otherwise
	parent  chunkLog[uint32] // per stored state: parent's global index or noParent
	ordinal chunkLog[uint8]  // per stored state: emission ordinal (ordEscape: see bigOrd)
	bigOrd  map[uint32]uint32
	limit   uint64

	// The level being expanded (the accepted successors of the level
	// before, in order), and the buffer the next level is copied into (a
	// batch at a time); the two swap at the end of each level, so that a
	// search reuses their arrays instead of allocating a level's worth of
	// buffers at every level (a level holds the arrays of its form: a
	// plain array, or a packed one and its index).
	level     level[S]
	spare     level[S]
	codec     codec // packs the levels' states
	canPack   bool  // S holds no pointers, and packing has not proved useless
	packLevel int   // a level of at least packLevel states is followed by a packed level
	packForce bool  // pack whatever the state's size and the savings (tests)
	base      int   // global index of level[0]
	curDepth  int
	maxDepth  int
	stored    int

	transitions   int
	deadlocks     int
	deadlock      uint32
	deadlockState S
	hasDeadlock   bool

	halt       bool
	haltPos    int  // level position of the state whose expansion halted
	unexpanded bool // the search halted before the end of a level
	dropped    bool
	truncated  bool
	cancelled  bool
	reason     string

	// progress counters (atomic): the level's states expanded, the batch's
	// transitions not yet merged
	levelDone, levelTrans  atomic.Int64
	candsPerState          int // eighths: candidates per expanded state in the last batch (buffer sizing)
	lastProgress           time.Time
	chunks                 []chunk[S, L] // reused from level to level, candidate buffers included
	peakVisited, peakTotal int64
	levelBytes             atomic.Int64
	overMemory             atomic.Bool
}

func newExplorer[S comparable, L any](ctx context.Context, m Model[S, L], props []Property[S, L], opts Options) *explorer[S, L] {
	m, canon := unreduced(m)
	e := &explorer[S, L]{
		ctx:   ctx,
		m:     m,
		canon: canon,
		props: props,
		opts:  opts,
		start: time.Now(),
		open:  len(props),
		found: make([]finding[S, L], len(props)),
		limit: uint64(noParent),
		// Buffers start sized for 8 candidates per state.
		candsPerState: 64,
	}
	if opts.MaxStates > 0 && uint64(opts.MaxStates) < e.limit {
		e.limit = uint64(opts.MaxStates)
	}
	if e.opts.Progress != nil && e.opts.ProgressEvery == 0 {
		e.opts.ProgressEvery = time.Second
	}
	if e.opts.ExactLimit == 0 {
		e.opts.ExactLimit = DefaultExactLimit
	}
	e.workers = opts.Workers
	if e.workers <= 0 {
		e.workers = runtime.GOMAXPROCS(0)
	}
	var hash func(S) uint64
	if h, ok := m.(Hasher[S]); ok {
		hash, e.hasher = h.Hash, true
	}
	e.seen = newVisited(hash, opts.Store)
	e.codec, e.canPack = newCodec[S]()
	e.packLevel, e.packForce = opts.PackLevel, opts.packForce
	switch {
	case e.packLevel == 0:
		e.packLevel = DefaultPackLevel
	case e.packLevel < 0:
		e.canPack = false
	}
	if !e.packForce && e.codec.size < packMinSize {
		e.canPack = false
	}
	e.lastProgress = e.start
	e.rebuildActive()
	return e
}

// rebuildActive recomputes the lists of undecided properties.
func (e *explorer[S, L]) rebuildActive() {
	var st, sp []int
	for i, p := range e.props {
		if e.found[i].decided {
			continue
		}
		if p.State != nil {
			st = append(st, i)
		}
		if p.Step != nil {
			sp = append(sp, i)
		}
	}
	e.stateActive, e.stepActive = st, sp
}

func (e *explorer[S, L]) stop(reason string) {
	e.halt = true
	if e.reason == "" {
		e.reason = reason
	}
}

// record appends a stored state's parent and ordinal.
func (e *explorer[S, L]) record(parent, ord uint32) {
	e.parent.append(parent)
	if ord >= ordEscape {
		if e.bigOrd == nil {
			e.bigOrd = map[uint32]uint32{}
		}
		e.bigOrd[uint32(e.stored)] = ord
		e.ordinal.append(ordEscape)
	} else {
		e.ordinal.append(uint8(ord))
	}
	e.stored++
}

func (e *explorer[S, L]) ordinalOf(i uint32) uint32 {
	if o := e.ordinal.at(i); o != ordEscape {
		return uint32(o)
	}
	return e.bigOrd[i]
}

func (e *explorer[S, L]) run() {
	if e.ctx.Err() != nil {
		e.cancelled = true
		return
	}
	for _, s0 := range e.m.Init() {
		s := s0
		if e.canon != nil {
			s = e.canon(s0)
		}
		fp := e.seen.fingerprint(s)
		if e.seen.has(&s, fp) {
			continue
		}
		if uint64(e.stored) >= e.limit {
			e.dropped = true
			e.stop(stopMaxStates)
			break
		}
		e.seen.insert(&s, fp)
		e.inits = append(e.inits, s)
		if e.canon != nil {
			e.initial = append(e.initial, s0)
		}
		e.record(noParent, 0)
		for _, pi := range e.stateActive {
			p := &e.props[pi]
			if !e.found[pi].decided && p.State(s) == (p.Kind == Sometimes) {
				e.decide(pi, finding[S, L]{idx: uint32(e.stored - 1), from: s})
			}
		}
		if e.halt {
			break
		}
	}
	e.level.plain = slices.Clone(e.inits)
	e.measure(0)
	for !e.halt && e.level.len() > 0 {
		if e.periodic() {
			return
		}
		if e.opts.MaxDepth > 0 && e.curDepth >= e.opts.MaxDepth {
			e.probeLevel()
			return
		}
		if !e.expandLevel() {
			return
		}
		e.curDepth++
		if e.opts.Store == StoreAuto && e.hasher && !e.seen.fp && e.stored > e.opts.ExactLimit {
			e.seen.toFingerprints()
			e.measure(0)
		}
	}
}

// periodic checks for cancellation and reports progress; true means stop.
func (e *explorer[S, L]) periodic() bool {
	if e.ctx.Err() != nil {
		e.cancelled = true
		return true
	}
	if e.opts.Progress != nil {
		now := time.Now()
		if now.Sub(e.lastProgress) >= e.opts.ProgressEvery {
			e.lastProgress = now
			done := int(e.levelDone.Load())
			e.opts.Progress(Progress{
				States:      e.stored,
				Transitions: e.transitions + int(e.levelTrans.Load()),
				Depth:       e.maxDepth,
				Queue:       e.level.len() - done,
				Memory:      e.peakTotalNow(),
				Elapsed:     now.Sub(e.start),
			})
		}
	}
	return false
}

// measure updates the peak memory figures; extra is the level buffers' size.
func (e *explorer[S, L]) measure(extra int64) {
	e.peakVisited = max(e.peakVisited, e.visitedBytes())
	e.peakTotal = max(e.peakTotal, e.total(extra))
}

// visitedBytes is the memory of the visited set and the path logs (the
// ordinals of at least 255 are counted at 16 bytes per map entry).
func (e *explorer[S, L]) visitedBytes() int64 {
	return e.seen.bytes() + e.parent.bytes() + e.ordinal.bytes() + int64(len(e.bigOrd))*16
}

// total is the memory held by the visited set and the two level arrays,
// plus extra bytes: the candidate buffers being filled, and the growth of
// the next level's array.
func (e *explorer[S, L]) total(extra int64) int64 {
	return e.visitedBytes() + extra + e.level.bytes() + e.spare.bytes()
}

func (e *explorer[S, L]) peakTotalNow() int64 {
	return max(e.peakTotal, e.total(e.levelBytes.Load()))
}

// probeLevel handles a level at MaxDepth: its states are not expanded, only
// checked for successors.
func (e *explorer[S, L]) probeLevel() {
	var buf []S
	for lo := 0; lo < e.level.len(); lo += packStride {
		buf = e.level.get(e.codec, buf, lo, min(lo+packStride, e.level.len()))
		for i, s := range buf {
			n := 0
			e.m.Successors(s, func(L, S) { n++ })
			if n > 0 {
				e.truncated = true
			} else {
				e.countDeadlock(e.base+lo+i, s)
			}
		}
	}
	e.base += e.level.len()
	e.level.reset(false)
}

func (e *explorer[S, L]) countDeadlock(idx int, s S) {
	e.deadlocks++
	if !e.hasDeadlock {
		e.hasDeadlock, e.deadlock, e.deadlockState = true, uint32(idx), s
	}
}

// storeMode is the store in use: exact, fingerprint or map.
func (e *explorer[S, L]) storeMode() StoreMode { return e.seen.mode() }

// chunkSize picks the number of states per chunk for a level of n states.
// It must not depend on the worker count: the memory figures (and so the
// memory bound's decision) depend on the chunking.
func (e *explorer[S, L]) chunkSize(n int) int {
	return min(max(n/64, 16), 512)
}

// expandLevel runs the three phases on e.level. It returns false when the
// search must stop without a next level (cancelled, memory bound).
func (e *explorer[S, L]) expandLevel() bool {
	n := e.level.len()
	size := e.chunkSize(n)
	// A large level is followed by a packed one. The choice depends only
	// on the level's size, so the memory figures are the same for every
	// worker count.
	e.spare.reset(e.canPack && n >= e.packLevel)
	e.levelDone.Store(0)
	step := batchChunks * size
	if e.opts.batch > 0 {
		step = e.opts.batch * size
	}
	for lo := 0; lo < n && !e.halt; lo += step {
		if !e.expandBatch(lo, min(lo+step, n), size) {
			return false
		}
	}
	if e.dropped && e.reason == stopMemory {
		return true // the level stays, unexpanded in part: the search is incomplete
	}
	for k := range e.chunks {
		e.chunks[k].in = nil
	}
	// The stored states are the next level; the level just expanded
	// becomes the spare array.
	e.base += e.level.len()
	e.level, e.spare = e.spare, e.level
	e.spare.empty()
	if l := &e.level; l.packed && !e.packForce && !l.saves(e.codec) {
		e.canPack = false // states this dense stay plain arrays
	}
	e.levelDone.Store(0)
	e.measure(0)
	return true
}

// batchChunks is the number of chunks expanded, inserted and merged at a
// time. A level is worked through in batches of at most batchChunks·512
// states, so that the candidate buffers hold one batch's successors (a few
// megabytes, reused and warm in the caches) rather than a whole level's.
// The merge order is the level's order all the same: the batches are taken
// in order, and a state a batch stores is in the visited set when the later
// ones look it up, which only spares them a candidate that could not be a
// first occurrence.
const batchChunks = 32

// touchGroup is the number of states whose emissions are buffered together
// in the expand phase, so that the cache misses of their look-ups overlap:
// one state's emissions (about five in the TCP model) leave the memory
// system idle between states.
const touchGroup = 4

// maxReserve caps the candidates per state that a chunk's buffer is sized
// for in advance; a chunk with more grows its buffer as it goes.
const maxReserve = 16

// bufBytes is the memory of the chunk slot's buffers that the memory bound
// counts (see held for the ones it leaves out).
func (c *chunk[S, L]) bufBytes() int64 {
	var zero cand[S]
	var zs S
	return int64(cap(c.cands)+cap(c.scratch))*int64(unsafe.Sizeof(zero)) + int64(cap(c.fps)+cap(c.setFps))*8 +
		int64(cap(c.inBuf))*int64(unsafe.Sizeof(zs)) + int64(cap(c.setIdx))*4
}

// expandBatch runs the three phases on the level's states [lo, hi), in
// chunks of size. It returns false when the search must stop at once
// (cancelled, or the memory bound in the expand phase).
func (e *explorer[S, L]) expandBatch(lo, hi, size int) bool {
	n := hi - lo
	nc := (n + size - 1) / size
	if len(e.chunks) < nc {
		e.chunks = append(e.chunks, make([]chunk[S, L], nc-len(e.chunks))...)
	}
	// The slots this batch does not use keep their buffers for later
	// batches; the memory figures count them all the same.
	idle := int64(0)
	for k := nc; k < len(e.chunks); k++ {
		idle += e.chunks[k].bufBytes()
	}
	chunks := e.chunks[:nc]
	for k := range chunks {
		c := &chunks[k]
		a := lo + k*size
		c.base, c.end, c.in = a, min(a+size, hi), nil
		if !e.level.packed {
			c.in = e.level.plain[a:c.end]
		}
		// The slot's output buffer, kept from level to level, grown (with a
		// quarter's room, so that it seldom grows again) when it is short of
		// the expected number of candidates: growing by append in the middle
		// of the expansion would copy them. The expectation is capped at
		// maxReserve per state: one state of a huge fan-out (an initial
		// state with 40,000 successors, say) must not reserve that many
		// for every state of the next level.
		if want := (c.end-c.base)*min(e.candsPerState, maxReserve*8)/8 + 16; cap(c.cands) < want {
			c.cands = slices.Grow(c.cands[:0], want+want/4)
		}
		c.cands = c.cands[:0]
	}
	e.levelBytes.Store(idle)
	e.levelTrans.Store(0) // the transitions merged so far are in e.transitions
	e.overMemory.Store(false)
	stepAct, stateAct := e.stepActive, e.stateActive
	useTrig := len(stateAct) <= 64

	var next atomic.Int64
	work := func() {
		for {
			k := int(next.Add(1) - 1)
			if k >= len(chunks) || e.ctx.Err() != nil || e.overMemory.Load() {
				return
			}
			e.expandChunk(&chunks[k], stepAct, stateAct, useTrig)
		}
	}
	if !e.parallel(n, work) {
		return false
	}

	// Insert: shard groups in parallel, candidates in order within each.
	groups := e.workers
	if n < 64 {
		groups = 1
	}
	accepted := make([]int, groups) // per group: first occurrences
	// Each group scans the chunks' dense fingerprint arrays, not the
	// candidates, for the candidates of its shards.
	insert := func(g int) {
		n := 0
		for k := range chunks {
			cs := chunks[k].cands
			for i, fp := range chunks[k].fps {
				if groups > 1 && shardOf(fp)%groups != g {
					continue
				}
				cs[i].acc = e.seen.insert(&cs[i].s, fp)
				if cs[i].acc {
					n++
				}
			}
		}
		accepted[g] = n
	}
	if groups == 1 {
		insert(0)
	} else {
		var wg sync.WaitGroup
		for g := 0; g < groups; g++ {
			wg.Add(1)
			go func() { defer wg.Done(); insert(g) }()
		}
		wg.Wait()
	}
	acc := 0
	for _, a := range accepted {
		acc += a
	}
	e.merge(chunks, stepAct, stateAct, useTrig, acc)
	return true
}

// parallel runs work on the workers (inline for small levels) while the
// calling goroutine reports progress. It returns false if the search must
// stop (cancelled or over the memory bound).
func (e *explorer[S, L]) parallel(n int, work func()) bool {
	if e.workers == 1 || n < 64 {
		work()
	} else {
		done := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < e.workers; w++ {
			wg.Add(1)
			go func() { defer wg.Done(); work() }()
		}
		go func() { wg.Wait(); close(done) }()
		var tick <-chan time.Time
		if e.opts.Progress != nil {
			t := time.NewTicker(max(e.opts.ProgressEvery, time.Millisecond))
			defer t.Stop()
			tick = t.C
		}
	wait:
		for {
			select {
			case <-done:
				break wait
			case <-tick:
				e.periodic()
			}
		}
	}
	if e.ctx.Err() != nil {
		e.cancelled = true
		return false
	}
	if e.overMemory.Load() {
		e.stop(stopMemory)
		e.dropped = true
		return false
	}
	return true
}

// expansion is the emit callback's context while a chunk is expanded.
type expansion[S comparable, L any] struct {
	e       *explorer[S, L]
	c       *chunk[S, L]
	stepAct []int
	buf     []cand[S] // the emissions of the touchGroup states being expanded
	from    S
	par     uint32
	ord     uint32
}

func (x *expansion[S, L]) emit(label L, to S) {
	x.step(label, to)
	x.buf = append(x.buf, cand[S]{s: to, fp: x.e.seen.fingerprint(to), par: x.par, ord: x.ord})
	x.ord++
}

// emitCanon is emit under Reduce: the step predicates see the target the
// model emitted, the candidate is its representative. A separate callback,
// so that an unreduced search pays nothing for the reduction.
func (x *expansion[S, L]) emitCanon(label L, to S) {
	x.step(label, to)
	to = x.e.canon(to)
	x.buf = append(x.buf, cand[S]{s: to, fp: x.e.seen.fingerprint(to), par: x.par, ord: x.ord})
	x.ord++
}

// step evaluates the undecided step predicates on one transition.
func (x *expansion[S, L]) step(label L, to S) {
	for k, pi := range x.stepAct {
		h := &x.c.hits[k]
		if h.ok {
			continue
		}
		pr := &x.e.props[pi]
		if pr.Step(x.from, label, to) == (pr.Kind == Sometimes) {
			*h = hit[S, L]{ok: true, par: x.par, ord: x.ord, label: label, to: to}
		}
	}
}

// expandChunk is the expand phase for one chunk. The successors of
// touchGroup states at a time are buffered and their fingerprint slots
// touched before they are looked up, so that their cache misses overlap.
func (e *explorer[S, L]) expandChunk(c *chunk[S, L], stepAct, stateAct []int, useTrig bool) {
	if e.level.packed {
		c.inBuf = e.level.get(e.codec, c.inBuf, c.base, c.end)
		c.in = c.inBuf
	}
	c.nsucc = slices.Grow(c.nsucc[:0], len(c.in))[:len(c.in)]
	c.cands, c.fps, c.trans, c.anySt = c.cands[:0], c.fps[:0], 0, false
	c.resetSet()
	byFp := e.seen.fp
	if len(stepAct) > 0 {
		c.hits = slices.Grow(c.hits[:0], len(stepAct))[:len(stepAct)]
		clear(c.hits)
	} else {
		c.hits = c.hits[:0]
	}
	x := &expansion[S, L]{e: e, c: c, stepAct: stepAct, buf: c.scratch[:0]}
	emit := x.emit // one closure per chunk, not per state
	if e.canon != nil {
		emit = x.emitCanon
	}
	for q0 := 0; q0 < len(c.in); q0 += touchGroup {
		// The emissions of touchGroup states are buffered in x.buf, in
		// order, and their slots loaded together before they are looked up.
		x.buf = x.buf[:0]
		q1 := min(q0+touchGroup, len(c.in))
		for q := q0; q < q1; q++ {
			x.from, x.par, x.ord = c.in[q], uint32(c.base+q), 0
			e.m.Successors(x.from, emit)
			c.nsucc[q] = x.ord
			c.trans += int(x.ord)
		}
		// The unvisited emissions become candidates.
		tail := x.buf
		c.sink += e.seen.touch(tail)
		for i := range tail {
			b := &tail[i]
			if c.repeat(&b.s, b.fp, byFp) || e.seen.has(&b.s, b.fp) {
				continue
			}
			if useTrig {
				var trig uint64
				for k, pi := range stateAct {
					pr := &e.props[pi]
					if pr.State(b.s) == (pr.Kind == Sometimes) {
						trig |= 1 << k
					}
				}
				b.trig = trig
				c.anySt = c.anySt || trig != 0
			}
			c.cands = append(c.cands, *b)
			c.fps = append(c.fps, b.fp)
			c.remember(b.fp)
		}
		if q0&15 == 12 && e.ctx.Err() != nil {
			break
		}
	}
	c.scratch = x.buf
	if e.opts.Progress != nil {
		e.levelDone.Add(int64(len(c.in)))
	}
	e.levelTrans.Add(int64(c.trans))
	// Counted with or without a bound, so that the memory figures (progress,
	// PeakBytes) are the same either way.
	b := e.levelBytes.Add(c.bufBytes())
	if e.opts.MaxMemory > 0 && e.total(b) > e.opts.MaxMemory {
		e.overMemory.Store(true)
	}
}

// merge is the sequential phase of a batch: it replays the batch's events
// in the order a sequential breadth-first search meets them. The stored
// states are then appended, in order, to the array that becomes the next
// level (e.spare).
//
// acc is the number of first occurrences in the batch: at least the number
// of states it stores, so that the memory bound can count the growth of the
// next level's array before it is allocated.
func (e *explorer[S, L]) merge(chunks []chunk[S, L], stepAct, stateAct []int, useTrig bool, acc int) {
	extra := e.levelBytes.Load()
	// The next level's arrays grow by half when they are short; the growth
	// is counted before it is allocated. A packed level's need is counted
	// at the longest encoding.
	g := e.spare.growth(e.codec, acc)
	extra += g.bytes
	counted := e.total(extra)
	var visited int64 // for the tests' audit: the visited set's figure now
	if e.opts.audit != nil {
		visited = e.visitedBytes()
	}
	if e.opts.MaxMemory > 0 && counted > e.opts.MaxMemory {
		e.stop(stopMemory)
		e.dropped = true
		return
	}
	e.measure(extra)
	ncand, nin := 0, 0
	for k := range chunks {
		ncand += len(chunks[k].cands)
		nin += len(chunks[k].in)
	}
	e.candsPerState = ncand*8/max(nin, 1) + 1
	halted := false
	// The chunks before the first one where something can happen (a
	// property decided, the state bound reached) are merged in parallel:
	// listing their accepted candidates is independent, and only their
	// parent links and ordinals are appended here in order.
	fast := e.fastPrefix(chunks, stepAct, useTrig)
	e.forChunks(chunks[:fast], recordChunk[S, L])
	for k := range chunks[:fast] {
		e.commitQuiet(&chunks[k])
	}
	for k := fast; k < len(chunks); k++ {
		c := &chunks[k]
		if halted {
			c.cands, c.w = c.cands[:0], 0
			continue
		}
		if !e.mergeChunk(c, stepAct, stateAct, useTrig) {
			// Halted inside this chunk: mergeChunk has set the counts.
			if e.haltPos < e.level.len()-1 {
				e.unexpanded = true
			}
			halted = true
		}
	}
	// The stored states join the next level: each chunk's are copied into
	// the spare array at the chunk's offset, in parallel (the offsets are
	// known).
	n := e.spare.len()
	for k := range chunks {
		c := &chunks[k]
		c.off = n
		n += c.w
	}
	if e.spare.packed {
		e.appendPacked(chunks, n, g)
	} else {
		e.appendPlain(chunks, n, g)
	}
	e.levelTrans.Store(0) // merged: now in e.transitions
	if e.opts.audit != nil {
		e.opts.audit(counted, e.held()-(e.visitedBytes()-visited))
	}
}

// appendPlain copies the chunks' stored states into the plain spare level,
// which holds n states afterwards (grown as planned in g if short).
func (e *explorer[S, L]) appendPlain(chunks []chunk[S, L], n int, g levelGrowth) {
	if cap(e.spare.plain) < n {
		e.spare.plain = append(make([]S, 0, g.plainCap), e.spare.plain...)
	}
	next := e.spare.plain[:n]
	e.forChunks(chunks, func(c *chunk[S, L]) {
		out := next[c.off : c.off+c.w]
		i := 0
		c.stored(func(s *S) {
			out[i] = *s
			i++
		})
	})
	e.spare.plain = next
}

// appendPacked encodes the chunks' stored states into the packed spare
// level: the chunks measure their encodings, then write them at their
// offsets, in parallel; the level holds n states afterwards, and its arrays
// were grown as counted in g if short.
func (e *explorer[S, L]) appendPacked(chunks []chunk[S, L], n int, g levelGrowth) {
	k := e.codec
	e.forChunks(chunks, func(c *chunk[S, L]) {
		c.bytes = 0
		c.stored(func(s *S) { c.bytes += k.encodedLen(unsafe.Pointer(s)) })
	})
	sp := &e.spare
	nb := len(sp.data)
	for i := range chunks {
		c := &chunks[i]
		c.boff, nb = nb, nb+c.bytes
	}
	// The arrays grow as planned (and counted), even when the encodings
	// turn out to fit: the plan counted them at their longest.
	if cap(sp.data) < g.dataCap {
		sp.data = append(make([]byte, 0, g.dataCap), sp.data...)
	}
	ni := (n + packStride - 1) / packStride
	if cap(sp.index) < g.indexCap {
		sp.index = append(make([]uint64, 0, g.indexCap), sp.index...)
	}
	data, index := sp.data[:nb], sp.index[:ni]
	e.forChunks(chunks, func(c *chunk[S, L]) {
		p, off := c.off, c.boff
		c.stored(func(s *S) {
			if p%packStride == 0 {
				index[p/packStride] = uint64(off)
			}
			// encode appends within the capacity it is given; if an
			// encoding were longer than measured, append would copy it
			// elsewhere, and the check below would catch it.
			off = len(k.encode(data[off:off:len(data)], unsafe.Pointer(s))) + off
			p++
		})
		if end := c.boff + c.bytes; off != end {
			panic(fmt.Sprintf("checker: packed level: a chunk's states encoded into %d bytes, measured %d", off-c.boff, c.bytes))
		}
	})
	sp.data, sp.index, sp.n = data, index, n
}

// stored calls f on the chunk's stored states in order: the compacted
// prefix of its candidates (mergeChunk), or those marked accepted.
func (c *chunk[S, L]) stored(f func(s *S)) {
	if len(c.cands) == c.w {
		for i := range c.cands {
			f(&c.cands[i].s)
		}
		return
	}
	for j := range c.cands {
		if c.cands[j].acc {
			f(&c.cands[j].s)
		}
	}
}

// held recounts the memory the bound counts from the capacities of the
// arrays and buffers: the visited set, both level arrays and every chunk
// slot's buffers. Only the tests' audit hook calls it. The chunk slots are
// recounted by reflection over every slice field of chunk except those
// uncounted names, so that a buffer added to chunk is in the recount
// until the running count includes it too, or it is listed there.
func (e *explorer[S, L]) held() int64 {
	b := e.visitedBytes() + e.level.bytes() + e.spare.bytes()
	for k := range e.chunks {
		b += sliceFieldBytes(reflect.ValueOf(&e.chunks[k]).Elem(), uncounted)
	}
	return b
}

// sliceFieldBytes is the memory held by the slice fields of the struct v
// but those whose names skip reports, from their capacities (a slice of
// slices counts its slices' capacities). The tests' memory audits recount
// with it.
func sliceFieldBytes(v reflect.Value, skip func(name string) bool) int64 {
	var b int64
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.Slice || skip(v.Type().Field(i).Name) {
			continue
		}
		if f.Type().Elem().Kind() != reflect.Slice {
			b += int64(f.Cap()) * int64(f.Type().Elem().Size())
			continue
		}
		for j := 0; j < f.Len(); j++ {
			g := f.Index(j)
			b += int64(g.Cap()) * int64(g.Type().Elem().Size())
		}
	}
	return b
}

// uncounted reports whether the memory bound leaves out chunk's slice
// field name: in is a view of the level array (counted as the level) or of
// inBuf (counted with the chunk's buffers), and
// the emission counts, property hits and merge records are small beside the
// candidates.
func uncounted(name string) bool {
	switch name {
	case "in", "nsucc", "hits", "recs":
		return true
	}
	return false
}

// fastPrefix returns the number of leading chunks in which no event can
// occur: no undecided step hit, no state trigger, and the state bound out of
// reach even if every candidate were new.
func (e *explorer[S, L]) fastPrefix(chunks []chunk[S, L], stepAct []int, useTrig bool) int {
	if !useTrig {
		return 0
	}
	stored := uint64(e.stored)
	for k := range chunks {
		if !e.quiet(&chunks[k], stepAct, stored) {
			return k
		}
		stored += uint64(len(chunks[k].cands))
	}
	return len(chunks)
}

// quiet reports whether no event can occur in chunk c, merged when stored
// states are stored: no state trigger, no undecided step hit, and the state
// bound out of reach even if every candidate were new.
func (e *explorer[S, L]) quiet(c *chunk[S, L], stepAct []int, stored uint64) bool {
	if c.anySt || stored+uint64(len(c.cands)) >= e.limit {
		return false
	}
	for h := range c.hits {
		if c.hits[h].ok && !e.found[stepAct[h]].decided {
			return false
		}
	}
	return true
}

// commitQuiet finishes the merge of a quiet chunk listed by recordChunk:
// it records its new states' parent links and ordinals in order and counts
// its transitions and deadlocks.
func (e *explorer[S, L]) commitQuiet(c *chunk[S, L]) {
	for _, r := range c.recs {
		e.record(uint32(e.base)+uint32(r>>32), uint32(r))
	}
	if len(c.recs) > 0 {
		e.maxDepth = e.curDepth + 1
	}
	e.transitions += c.trans
	for j, ns := range c.nsucc {
		if ns == 0 {
			e.countDeadlock(e.base+c.base+j, c.in[j])
		}
	}
}

// forChunks runs f on every chunk, on the workers when there are several.
func (e *explorer[S, L]) forChunks(chunks []chunk[S, L], f func(*chunk[S, L])) {
	if e.workers == 1 || len(chunks) < 4 {
		for k := range chunks {
			f(&chunks[k])
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < e.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(chunks) {
					return
				}
				f(&chunks[k])
			}
		}()
	}
	wg.Wait()
}

// recordChunk lists the (parent, ordinal) pairs of a quiet chunk's
// accepted candidates in c.recs and counts them in c.w; the candidates stay
// where they are.
func recordChunk[S comparable, L any](c *chunk[S, L]) {
	c.recs = c.recs[:0]
	for i := range c.cands {
		if cd := &c.cands[i]; cd.acc {
			c.recs = append(c.recs, uint64(cd.par)<<32|uint64(cd.ord))
		}
	}
	c.w = len(c.recs)
}

// keep moves an accepted candidate to the chunk's compacted prefix and
// records it as stored.
func (e *explorer[S, L]) keep(c *chunk[S, L], cd *cand[S]) {
	e.record(uint32(e.base+int(cd.par)), cd.ord)
	e.maxDepth = e.curDepth + 1
	c.cands[c.w] = *cd
	c.w++
}

// mergeChunk merges one chunk. It returns false if the search halted in it.
func (e *explorer[S, L]) mergeChunk(c *chunk[S, L], stepAct, stateAct []int, useTrig bool) bool {
	if useTrig && e.quiet(c, stepAct, uint64(e.stored)) {
		recordChunk(c)
		e.commitQuiet(c)
		return true
	}
	c.w = 0
	defer func() { c.cands = c.cands[:c.w] }()
	// Slow path: walk the chunk state by state, emission events in order.
	ci := 0
	for j := range c.in {
		p := c.base + j
		ns := c.nsucc[j]
		if ns == 0 {
			e.countDeadlock(e.base+p, c.in[j])
			continue
		}
		// Events of parent p in ordinal order: step hits and candidates.
		for {
			// Next candidate of p, if any.
			var cd *cand[S]
			if ci < len(c.cands) && int(c.cands[ci].par) == p {
				cd = &c.cands[ci]
			}
			// Earliest undecided step hit of p not after cd.
			hk := -1
			for k := range c.hits {
				h := &c.hits[k]
				if !h.ok || int(h.par) != p || e.found[stepAct[k]].decided {
					continue
				}
				if cd != nil && h.ord > cd.ord {
					continue
				}
				if hk < 0 || h.ord < c.hits[hk].ord {
					hk = k
				}
			}
			if hk >= 0 {
				h := &c.hits[hk]
				pi := stepAct[hk]
				e.decide(pi, finding[S, L]{isStep: true, idx: uint32(e.base + p), from: c.in[j], label: h.label, to: h.to},
					e.transitions+int(h.ord)+1)
				h.ok = false
				// Other step properties triggered by the same emission are
				// decided by the next iterations (they are all at ord).
				if e.halt {
					e.haltPos = p
					e.haltAt(c, j, h.ord, ci)
					return false
				}
				continue
			}
			if cd == nil {
				break
			}
			ci++
			if !cd.acc {
				continue
			}
			if uint64(e.stored) >= e.limit {
				e.dropped = true
				e.stop(stopMaxStates)
				e.haltPos = p
				e.transitions += int(cd.ord) + 1
				return false
			}
			e.keep(c, cd)
			e.checkState(&c.cands[c.w-1], stateAct, useTrig, int(cd.ord))
			if e.halt {
				e.haltPos = p
				if cd.ord+1 < ns {
					e.dropped = true
				}
				e.transitions += int(cd.ord) + 1
				return false
			}
		}
		e.transitions += int(ns)
	}
	return true
}

// haltAt finishes a chunk whose merge halted at a step event at emission
// ord of the chunk's state j: the emission's own state is still stored,
// later emissions are dropped. ci is the next candidate to look at.
func (e *explorer[S, L]) haltAt(c *chunk[S, L], j int, ord uint32, ci int) {
	p := c.base + j
	if ci < len(c.cands) {
		cd := &c.cands[ci]
		if int(cd.par) == p && cd.ord == ord && cd.acc {
			if uint64(e.stored) >= e.limit {
				e.dropped = true
				e.stop(stopMaxStates)
			} else {
				e.keep(c, cd)
			}
		}
	}
	if ord+1 < c.nsucc[j] {
		e.dropped = true
	}
	e.transitions += int(ord) + 1
}

// checkState evaluates the state properties on a newly stored candidate.
func (e *explorer[S, L]) checkState(cd *cand[S], stateAct []int, useTrig bool, ord int) {
	for k, pi := range stateAct {
		if e.found[pi].decided {
			continue
		}
		var t bool
		if useTrig {
			t = cd.trig&(1<<k) != 0
		} else {
			pr := &e.props[pi]
			t = pr.State(cd.s) == (pr.Kind == Sometimes)
		}
		if t {
			e.decide(pi, finding[S, L]{idx: uint32(e.stored - 1), from: cd.s}, e.transitions+ord+1)
		}
	}
}

// decide records the first violation or witness of property pi; trans is
// the number of transitions explored at that moment.
func (e *explorer[S, L]) decide(pi int, f finding[S, L], trans ...int) {
	f.decided = true
	f.states, f.trans, f.dep = e.stored, e.transitions, e.maxDepth
	if len(trans) > 0 {
		f.trans = trans[0]
	}
	e.found[pi] = f
	e.open--
	e.rebuildActive()
	if e.open == 0 && e.opts.StopWhenDecided {
		e.stop(stopDecided)
	}
}

// complete reports whether every reachable state was expanded.
func (e *explorer[S, L]) complete() bool {
	return !e.cancelled && !e.dropped && !e.truncated && !e.unexpanded && e.level.len() == 0
}

// collision estimates the probability that a fingerprint collision omitted
// a state: n²/2⁶⁵ for n states (each new state meets about n/2 stored ones
// on average, each colliding with probability 2⁻⁶⁴).
func (e *explorer[S, L]) collision() float64 {
	if !e.seen.fp {
		return 0
	}
	return collisionBound(e.stored)
}

// collisionBound is the probability bound n²/2⁶⁵ that one of n 64-bit
// fingerprints collided with another (see [Result.Collision]).
func collisionBound(n int) float64 {
	f := float64(n)
	return math.Min(1, f*f/math.Exp2(65))
}
