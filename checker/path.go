package checker

import (
	"fmt"
	"time"
)

// Step is one transition of a Path: the label emitted and the state reached.
type Step[S comparable, L any] struct {
	Label L
	State S
}

// Path is a run from an initial state: Init, then Steps in order.
type Path[S comparable, L any] struct {
	Init  S
	Steps []Step[S, L]
}

// Len returns the number of steps (transitions) of the path.
func (p Path[S, L]) Len() int { return len(p.Steps) }

// Last returns the final state of the path (Init when there are no steps).
func (p Path[S, L]) Last() S {
	if len(p.Steps) == 0 {
		return p.Init
	}
	return p.Steps[len(p.Steps)-1].State
}

// pathTo rebuilds the BFS path to the stored state idx by walking parent links
// back to the root and re-running Successors forward from it, taking the
// recorded emission at each step. want is the state idx must hold (the
// explorer keeps no states, so the rebuilt end is checked against the state
// recorded with the finding).
func (e *explorer[S, L]) pathTo(idx uint32, want S) (*Path[S, L], error) {
	var chain []uint32
	for i := idx; i != noParent; i = e.parent.at(i) {
		chain = append(chain, i)
	}
	root := chain[len(chain)-1]
	p := &Path[S, L]{Init: e.inits[root], Steps: make([]Step[S, L], 0, len(chain)-1)}
	cur := p.Init
	for k := len(chain) - 2; k >= 0; k-- {
		c := chain[k]
		label, next, ok := e.replay(cur, e.ordinalOf(c))
		if ok && e.canon != nil {
			next = e.canon(next)
		}
		if !ok || !e.seen.has(&next, e.seen.fingerprint(next)) {
			return nil, fmt.Errorf("%w: emission %d of a state on the path to state %d changed",
				ErrNondeterministic, e.ordinalOf(c), idx)
		}
		p.Steps = append(p.Steps, Step[S, L]{Label: label, State: next})
		cur = next
	}
	if cur != want {
		return nil, fmt.Errorf("%w: the path to state %d rebuilt to a different state", ErrNondeterministic, idx)
	}
	return p, nil
}

// replay re-runs Successors(s) and returns its ord-th emission.
func (e *explorer[S, L]) replay(s S, ord uint32) (label L, next S, ok bool) {
	var n uint32
	e.m.Successors(s, func(l L, x S) {
		if n == ord {
			label, next, ok = l, x, true
		}
		n++
	})
	return label, next, ok
}

// findingPath rebuilds the path of a recorded violation or witness of p.
// Under Reduce it is then made a run of the model (concretize), and its end
// is checked against p.
func (e *explorer[S, L]) findingPath(p *Property[S, L], f *finding[S, L]) (*Path[S, L], error) {
	path, err := e.pathTo(f.idx, f.from)
	if err != nil {
		return nil, err
	}
	if f.isStep {
		path.Steps = append(path.Steps, Step[S, L]{Label: f.label, State: f.to})
	}
	if e.canon == nil {
		return path, nil
	}
	want := p.Kind == Sometimes
	var last func(S, L, S) bool
	if f.isStep {
		last = func(from S, l L, to S) bool { return p.Step(from, l, to) == want }
	}
	path, err = e.concretize(path, last)
	if err == nil && !f.isStep && p.State(path.Last()) != want {
		err = fmt.Errorf("%w: property %q differs between a state and its representative", ErrNotSymmetry, p.Name)
	}
	return path, err
}

// result assembles the Result of a finished (or stopped) search.
func (e *explorer[S, L]) result() (Result[S, L], error) {
	complete := e.complete()
	r := Result[S, L]{
		States:       e.stored,
		Store:        e.storeMode(),
		Collision:    e.collision(),
		VisitedBytes: e.peakVisited,
		PeakBytes:    e.peakTotal,
		Workers:      e.workers,
		Transitions:  e.transitions,
		Depth:        e.maxDepth,
		Complete:     complete,
		Deadlocks:    e.deadlocks,
		Properties:   make([]PropertyResult[S, L], len(e.props)),
	}
	switch {
	case complete:
	case e.cancelled:
		r.StopReason = stopCancelled
	case e.reason != "":
		r.StopReason = e.reason
	default:
		r.StopReason = stopMaxDepth
	}
	for i, p := range e.props {
		pr, err := e.propertyResult(p, &e.found[i], complete)
		if err != nil {
			return r, err
		}
		r.Properties[i] = pr
	}
	if e.hasDeadlock {
		d, err := e.pathTo(e.deadlock, e.deadlockState)
		if err == nil && e.canon != nil {
			d, err = e.concretize(d, nil)
		}
		if err != nil {
			return r, err
		}
		r.Deadlock = d
	}
	r.Elapsed = time.Since(e.start)
	return r, nil
}

func (e *explorer[S, L]) propertyResult(p Property[S, L], f *finding[S, L], complete bool) (PropertyResult[S, L], error) {
	pr := PropertyResult[S, L]{Name: p.Name, Kind: p.Kind}
	if !f.decided {
		pr.States, pr.Transitions, pr.Depth = e.stored, e.transitions, e.maxDepth
		switch {
		case !complete:
			pr.Verdict = Incomplete
		case p.Kind == Always:
			pr.Verdict = Holds
		default:
			pr.Verdict = NotFound
		}
		return pr, nil
	}
	pr.Verdict = Violated
	if p.Kind == Sometimes {
		pr.Verdict = Found
	}
	pr.States, pr.Transitions, pr.Depth = f.states, f.trans, f.dep
	path, err := e.findingPath(&p, f)
	pr.Path = path
	return pr, err
}
