package checker

import (
	"context"
	"time"
)

// noParent marks an initial state in explorer.parent. Because it is the
// largest uint32, at most noParent states can be stored.
const noParent = ^uint32(0)

// checkEvery is the number of expansions between context/progress checks
// (a power of two).
const checkEvery = 1024

// finding records the moment a property was decided. Either the state at
// index idx satisfied the State trigger (isStep false), or the transition
// (label, to) emitted by the state at index idx did (isStep true).
type finding[S comparable, L any] struct {
	decided            bool
	isStep             bool
	idx                uint32
	label              L
	to                 S
	states, trans, dep int
}

// explorer holds the state of one breadth-first search.
type explorer[S comparable, L any] struct {
	ctx   context.Context
	m     Model[S, L]
	props []Property[S, L]
	opts  Options
	start time.Time

	// Undecided properties with a State / Step predicate (indices into props).
	stateActive, stepActive []int
	open                    int
	found                   []finding[S, L]

	states  *store[S] // BFS order: states before head are expanded
	parent  []uint32  // parent index, noParent for initial states
	ordinal []uint32  // position of the emission in the parent's Successors call
	limit   uint64

	head     int // index of the state being expanded
	levelEnd int // first index of the level after the current one
	curDepth int // depth of states[head]
	maxDepth int // maximum depth of any stored state
	from     S   // states[head]
	ord      uint32
	expanded int

	transitions int
	deadlocks   int
	deadlock    uint32
	hasDeadlock bool

	halt      bool   // stop after the current expansion; ignore further emissions
	dropped   bool   // some emission was ignored because of halt
	truncated bool   // a state at MaxDepth had a successor
	cancelled bool   // ctx was done
	reason    string // why halt was set

	emitFn, probeFn func(L, S)
	lastProgress    time.Time
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
	}
	if opts.MaxStates > 0 && uint64(opts.MaxStates) < e.limit {
		e.limit = uint64(opts.MaxStates)
	}
	if e.opts.Progress != nil && e.opts.ProgressEvery == 0 {
		e.opts.ProgressEvery = time.Second
	}
	var hash func(S) uint64
	if h, ok := m.(Hasher[S]); ok {
		hash = h.Hash
	}
	e.states = newStore(hash)
	e.lastProgress = e.start
	e.rebuildActive()
	e.emitFn = e.emit
	e.probeFn = e.probe
	return e
}

// rebuildActive recomputes the lists of undecided properties. It allocates
// fresh slices so that loops ranging over the old ones are unaffected.
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

// stop halts the search after the current expansion, keeping the first reason.
func (e *explorer[S, L]) stop(reason string) {
	e.halt = true
	if e.reason == "" {
		e.reason = reason
	}
}

func (e *explorer[S, L]) run() {
	if e.ctx.Err() != nil {
		e.cancelled = true
		return
	}
	for _, s := range e.m.Init() {
		_, found, slot := e.states.find(s)
		if found {
			continue
		}
		if !e.store(s, slot, noParent, 0, 0) {
			break
		}
	}
	e.levelEnd = e.states.len()
	if !e.halt {
		e.loop()
	}
}

func (e *explorer[S, L]) loop() {
	for e.head < e.states.len() {
		if e.head == e.levelEnd {
			e.curDepth++
			e.levelEnd = e.states.len()
		}
		if e.expanded&(checkEvery-1) == 0 && e.periodic() {
			return
		}
		e.expanded++
		e.from = e.states.at(uint32(e.head))
		e.ord = 0
		if e.opts.MaxDepth > 0 && e.curDepth >= e.opts.MaxDepth {
			e.m.Successors(e.from, e.probeFn)
			if e.ord > 0 {
				e.truncated = true
			}
		} else {
			e.m.Successors(e.from, e.emitFn)
		}
		if e.ord == 0 {
			e.deadlocks++
			if !e.hasDeadlock {
				e.hasDeadlock, e.deadlock = true, uint32(e.head)
			}
		}
		e.head++
		if e.halt {
			return
		}
	}
}

// periodic checks for cancellation and reports progress. It returns true if
// the search must stop.
func (e *explorer[S, L]) periodic() bool {
	if e.ctx.Err() != nil {
		e.cancelled = true
		return true
	}
	if e.opts.Progress != nil {
		now := time.Now()
		if now.Sub(e.lastProgress) >= e.opts.ProgressEvery {
			e.lastProgress = now
			e.opts.Progress(Progress{
				States:      e.states.len(),
				Transitions: e.transitions,
				Depth:       e.maxDepth,
				Queue:       e.states.len() - e.head,
				Elapsed:     now.Sub(e.start),
			})
		}
	}
	return false
}

// probe is the emit function for states at MaxDepth: it only counts.
func (e *explorer[S, L]) probe(L, S) {
	e.ord++
}

// emit handles one transition from e.from (the state at e.head).
func (e *explorer[S, L]) emit(label L, next S) {
	if e.halt {
		e.dropped = true
		return
	}
	ord := e.ord
	e.ord++
	e.transitions++
	for _, pi := range e.stepActive {
		p := &e.props[pi]
		if e.found[pi].decided || p.Step(e.from, label, next) != (p.Kind == Sometimes) {
			continue
		}
		e.decide(pi, finding[S, L]{isStep: true, idx: uint32(e.head), label: label, to: next})
	}
	_, found, slot := e.states.find(next)
	if found {
		return
	}
	e.store(next, slot, uint32(e.head), ord, e.curDepth+1)
}

// store adds a newly discovered state and checks State predicates on it. It
// returns false (and halts) if the state limit is reached.
func (e *explorer[S, L]) store(s S, slot uint64, parent, ord uint32, depth int) bool {
	if uint64(e.states.len()) >= e.limit {
		e.dropped = true
		e.stop(stopMaxStates)
		return false
	}
	idx := e.states.insert(s, slot)
	e.parent = append(e.parent, parent)
	e.ordinal = append(e.ordinal, ord)
	if depth > e.maxDepth {
		e.maxDepth = depth
	}
	for _, pi := range e.stateActive {
		p := &e.props[pi]
		if e.found[pi].decided || p.State(s) != (p.Kind == Sometimes) {
			continue
		}
		e.decide(pi, finding[S, L]{idx: idx})
	}
	return true
}

// decide records the first violation or witness of property pi.
func (e *explorer[S, L]) decide(pi int, f finding[S, L]) {
	f.decided = true
	f.states, f.trans, f.dep = e.states.len(), e.transitions, e.maxDepth
	e.found[pi] = f
	e.open--
	e.rebuildActive()
	if e.open == 0 && e.opts.StopWhenDecided {
		e.stop(stopDecided)
	}
}

// complete reports whether every reachable state was expanded.
func (e *explorer[S, L]) complete() bool {
	return !e.cancelled && !e.dropped && !e.truncated && e.head == e.states.len()
}
