package checker

import (
	"context"
	"math"
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
	in    []cand[S]   // the level's states [base, base+len(in))
	base  int         // level position of in[0]
	cands []cand[S]   // in (parent, ordinal) order
	nsucc []uint32    // emissions per state of [lo, hi)
	hits  []hit[S, L] // per step property of stepActive
	trans int         // emissions in all
	w     int         // merge: length of the compacted prefix of cands
	recs  []uint64    // merge, fast path: (parent, ordinal) of the accepted candidates
	anySt bool        // some candidate has trig set
	sink  uint64      // keeps the touch loads alive
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
	parent  chunkLog[uint32] // per stored state: parent's global index or noParent
	ordinal chunkLog[uint8]  // per stored state: emission ordinal (ordEscape: see bigOrd)
	bigOrd  map[uint32]uint32
	limit   uint64

	// The level being expanded: segments of compacted candidates (the
	// accepted successors of the level before), in order, levelLen states.
	level    [][]cand[S]
	levelLen int
	pool     [][]cand[S] // candidate buffers free for reuse
	base     int         // global index of level[0]
	curDepth int
	maxDepth int
	stored   int

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

	// progress counters of the level being expanded (atomic)
	levelDone, levelTrans  atomic.Int64
	candsPerState          int // eighths: candidates per expanded state in the last level (buffer sizing)
	lastProgress           time.Time
	chunks                 []chunk[S, L] // reused from level to level
	peakVisited, peakTotal int64
	levelBytes             atomic.Int64
	overMemory             atomic.Bool
}

func newExplorer[S comparable, L any](ctx context.Context, m Model[S, L], props []Property[S, L], opts Options) *explorer[S, L] {
	e := &explorer[S, L]{
		ctx:   ctx,
		m:     m,
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
	e.seen = newVisited(hash, opts.Store == StoreFingerprint)
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
	for _, s := range e.m.Init() {
		fp := e.seen.fingerprint(s)
		if e.seen.has(s, fp) {
			continue
		}
		if uint64(e.stored) >= e.limit {
			e.dropped = true
			e.stop(stopMaxStates)
			break
		}
		e.seen.insert(s, fp)
		e.inits = append(e.inits, s)
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
	if len(e.inits) > 0 {
		seg := make([]cand[S], len(e.inits))
		for i, s := range e.inits {
			seg[i] = cand[S]{s: s}
		}
		e.level, e.levelLen = [][]cand[S]{seg}, len(seg)
	}
	e.measure(0)
	for !e.halt && e.levelLen > 0 {
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
				Queue:       e.levelLen - done,
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

// total is the memory held by the visited set, the level and the free
// buffers, plus extra bytes of buffers being filled.
func (e *explorer[S, L]) total(extra int64) int64 {
	var zero cand[S]
	n := 0
	for _, b := range e.level {
		n += cap(b)
	}
	for _, b := range e.pool {
		n += cap(b)
	}
	return e.visitedBytes() + extra + int64(n)*int64(unsafe.Sizeof(zero))
}

func (e *explorer[S, L]) peakTotalNow() int64 {
	return max(e.peakTotal, e.total(e.levelBytes.Load()))
}

// probeLevel handles a level at MaxDepth: its states are not expanded, only
// checked for successors.
func (e *explorer[S, L]) probeLevel() {
	i := 0
	for _, seg := range e.level {
		for _, c := range seg {
			n := 0
			e.m.Successors(c.s, func(L, S) { n++ })
			if n > 0 {
				e.truncated = true
			} else {
				e.countDeadlock(e.base+i, c.s)
			}
			i++
		}
	}
	e.base += e.levelLen
	e.level, e.levelLen = nil, 0
}

func (e *explorer[S, L]) countDeadlock(idx int, s S) {
	e.deadlocks++
	if !e.hasDeadlock {
		e.hasDeadlock, e.deadlock, e.deadlockState = true, uint32(idx), s
	}
}

// storeMode is the store in use: exact or fingerprint.
func (e *explorer[S, L]) storeMode() StoreMode {
	if e.seen.fp {
		return StoreFingerprint
	}
	return StoreExact
}

// chunkSize picks the number of states per chunk for a level of n states.
// It must not depend on the worker count: the memory figures (and so the
// memory bound's decision) depend on the chunking.
func (e *explorer[S, L]) chunkSize(n int) int {
	return min(max(n/64, 16), 512)
}

// expandLevel runs the three phases on e.level. It returns false when the
// search must stop without a next level (cancelled, memory bound).
func (e *explorer[S, L]) expandLevel() bool {
	n := e.levelLen
	size := e.chunkSize(n)
	nc := 0
	for _, seg := range e.level {
		nc += (len(seg) + size - 1) / size
	}
	if cap(e.chunks) < nc {
		e.chunks = append(e.chunks[:cap(e.chunks)], make([]chunk[S, L], nc-cap(e.chunks))...)
	}
	chunks := e.chunks[:nc]
	k, base := 0, 0
	for _, seg := range e.level {
		for lo := 0; lo < len(seg); lo += size {
			c := &chunks[k]
			c.in, c.base = seg[lo:min(lo+size, len(seg))], base+lo
			// The output buffer: a free one if any, in a fixed order, grown
			// to the expected number of candidates (from the level before:
			// growing by append would copy them).
			c.cands = nil
			if len(e.pool) > 0 {
				c.cands, e.pool = e.pool[len(e.pool)-1][:0], e.pool[:len(e.pool)-1]
			}
			c.cands = slices.Grow(c.cands, len(c.in)*e.candsPerState/8+16)
			k++
		}
		base += len(seg)
	}
	e.pool = nil // buffers left over are dropped
	e.levelDone.Store(0)
	e.levelTrans.Store(0)
	e.levelBytes.Store(0)
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
	insert := func(g int) {
		for k := range chunks {
			cs := chunks[k].cands
			for i := range cs {
				c := &cs[i]
				if groups > 1 && shardOf(c.fp)%groups != g {
					continue
				}
				c.acc = e.seen.insert(c.s, c.fp)
			}
		}
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
	e.merge(chunks, stepAct, stateAct, useTrig)
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
	from    S
	par     uint32
	ord     uint32
}

func (x *expansion[S, L]) emit(label L, to S) {
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
	x.c.cands = append(x.c.cands, cand[S]{s: to, fp: x.e.seen.fingerprint(to), par: x.par, ord: x.ord})
	x.ord++
}

// expandChunk is the expand phase for one chunk. The successors of each state
// are buffered and their fingerprint slots touched before they are looked
// up, so that the cache misses of one state's successors overlap.
func (e *explorer[S, L]) expandChunk(c *chunk[S, L], stepAct, stateAct []int, useTrig bool) {
	c.nsucc = slices.Grow(c.nsucc[:0], len(c.in))[:len(c.in)]
	c.cands, c.trans, c.anySt = c.cands[:0], 0, false
	if len(stepAct) > 0 {
		c.hits = slices.Grow(c.hits[:0], len(stepAct))[:len(stepAct)]
		clear(c.hits)
	} else {
		c.hits = c.hits[:0]
	}
	var zero cand[S]
	candSize := int64(unsafe.Sizeof(zero))
	x := &expansion[S, L]{e: e, c: c, stepAct: stepAct}
	emit := x.emit // one closure per chunk, not per state
	for q := range c.in {
		p := c.base + q
		start := len(c.cands)
		x.from, x.par, x.ord = c.in[q].s, uint32(p), 0
		e.m.Successors(x.from, emit)
		ord := x.ord
		// The emissions were appended as candidates; keep the unvisited.
		tail := c.cands[start:]
		c.sink += e.seen.touch(tail)
		j := start
		for i := range tail {
			b := &tail[i]
			if e.seen.has(b.s, b.fp) {
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
			if start+i != j {
				c.cands[j] = *b
			}
			j++
		}
		c.cands = c.cands[:j]
		c.nsucc[q] = ord
		c.trans += int(ord)
		if p&15 == 15 && e.ctx.Err() != nil {
			break
		}
	}
	if e.opts.Progress != nil {
		e.levelDone.Add(int64(len(c.in)))
	}
	e.levelTrans.Add(int64(c.trans))
	if e.opts.MaxMemory > 0 {
		b := e.levelBytes.Add(int64(cap(c.cands)) * candSize)
		if e.total(b) > e.opts.MaxMemory {
			e.overMemory.Store(true)
		}
	}
}

// merge is the sequential phase: it replays the level's events in the order
// a sequential breadth-first search meets them. The accepted candidates are
// compacted in place, and the chunks' buffers become the next level.
func (e *explorer[S, L]) merge(chunks []chunk[S, L], stepAct, stateAct []int, useTrig bool) {
	extra := e.levelBytes.Load()
	if e.opts.MaxMemory > 0 && e.total(extra) > e.opts.MaxMemory {
		e.stop(stopMemory)
		e.dropped = true
		return
	}
	e.measure(extra)
	ncand := 0
	for k := range chunks {
		ncand += len(chunks[k].cands)
	}
	e.candsPerState = ncand*8/max(e.levelLen, 1) + 1
	nextBase := e.base + e.levelLen
	halted := false
	// The chunks before the first one where something can happen (a
	// property decided, the state bound reached) are merged in parallel:
	// compacting them is independent, and only their parent links and
	// ordinals are appended here in order.
	fast := e.fastPrefix(chunks, stepAct, useTrig)
	e.compactChunks(chunks[:fast])
	for k := range chunks[:fast] {
		e.commitQuiet(&chunks[k])
	}
	for k := fast; k < len(chunks); k++ {
		c := &chunks[k]
		if halted {
			c.cands = c.cands[:0]
			continue
		}
		if !e.mergeChunk(c, stepAct, stateAct, useTrig) {
			// Halted inside this chunk: mergeChunk has set the counts.
			if e.haltPos < e.levelLen-1 {
				e.unexpanded = true
			}
			halted = true
		}
	}
	// The old level's buffers are free; the chunks' become the level.
	pool := make([][]cand[S], 0, len(e.level)+len(chunks))
	for _, seg := range e.level {
		pool = append(pool, seg[:0])
	}
	next, n := make([][]cand[S], 0, len(chunks)), 0
	for k := range chunks {
		c := &chunks[k]
		c.in = nil
		switch {
		case shrink(c.cands):
			// Mostly rejected candidates: keep the states in a buffer of
			// their size and let the large one go.
			next = append(next, slices.Clone(c.cands))
			n += len(c.cands)
		case len(c.cands) > 0:
			next = append(next, c.cands)
			n += len(c.cands)
		case cap(c.cands) > 0:
			pool = append(pool, c.cands)
		}
		c.cands = nil
	}
	e.base = nextBase
	e.level, e.levelLen, e.pool = next, n, pool
	e.levelDone.Store(0)
	e.measure(0)
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

// commitQuiet finishes the merge of a quiet chunk compacted by compactChunk:
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
			e.countDeadlock(e.base+c.base+j, c.in[j].s)
		}
	}
}

// compactChunks compacts each chunk to its accepted candidates, in
// parallel, and lists their (parent, ordinal) pairs in c.recs.
func (e *explorer[S, L]) compactChunks(chunks []chunk[S, L]) {
	if e.workers == 1 || len(chunks) < 4 {
		for k := range chunks {
			compactChunk(&chunks[k])
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
				compactChunk(&chunks[k])
			}
		}()
	}
	wg.Wait()
}

// compactChunk compacts a chunk to its accepted candidates, listing their
// (parent, ordinal) pairs in c.recs, and shrinks its buffer when it is
// mostly empty room.
func compactChunk[S comparable, L any](c *chunk[S, L]) {
	c.recs = c.recs[:0]
	w := 0
	for i := range c.cands {
		if cd := &c.cands[i]; cd.acc {
			c.recs = append(c.recs, uint64(cd.par)<<32|uint64(cd.ord))
			if w != i {
				c.cands[w] = *cd
			}
			w++
		}
	}
	c.cands = c.cands[:w]
	if shrink(c.cands) {
		c.cands = slices.Clone(c.cands)
	}
}

// shrink says whether a level segment holds mostly rejected candidates'
// room, and is better kept in a buffer of its size.
func shrink[S comparable](c []cand[S]) bool {
	return len(c) > 0 && cap(c) > len(c)+len(c)/4+16
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
		compactChunk(c)
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
			e.countDeadlock(e.base+p, c.in[j].s)
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
				e.decide(pi, finding[S, L]{isStep: true, idx: uint32(e.base + p), from: c.in[j].s, label: h.label, to: h.to},
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
	return !e.cancelled && !e.dropped && !e.truncated && !e.unexpanded && e.levelLen == 0
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
