package checker

import (
	"errors"
	"fmt"
	"slices"
)

// ErrNotSymmetry is returned (wrapped) by Check when turning a path of a
// reduced search ([Reduce]) back into a run of the model shows that the
// reduction's map is not a symmetry of the model and the properties.
var ErrNotSymmetry = errors.New("checker: the reduction's map is not a symmetry of the model and properties")

// Reduce returns m with a symmetry reduction for [Check] and [Reachable].
// canon must map every state to a representative of its orbit under a group
// of automorphisms of m's transitions (maps of states that carry every
// transition to a transition, its label mapped too), with canon(x) ==
// canon(y) exactly when x and y are in the same orbit; and every property
// checked must give the same answer on a state (or transition) and its
// images. The orbits reached, and the distance to each, are then those of
// the unreduced search. The search stores and expands only representatives:
// each initial state and each successor is replaced by canon of it, after
// the step predicates have seen the transition as the model emitted it.
//
// The state and transition counts are then those of the quotient (the
// orbits reached), and a bound such as MaxStates counts orbits. The verdicts
// are those of the unreduced search, and a counterexample or witness is
// still a shortest one, rebuilt as a run of m itself: from the model's own
// initial state, at each step the first emission whose orbit is the next
// one on the quotient's path (for the last step of a step property, the
// first that also satisfies the predicate). If no such emission exists, the
// map was not a symmetry and Check returns an error wrapping
// [ErrNotSymmetry]. Results are the same for every worker count.
//
// [Cheapest] explores a reduced model unreduced. [CheckFamily] takes no
// Model; a family is reduced by its own [FamilyModel], whose Successors
// then gives the representatives' keys.
func Reduce[S comparable, L any](m Model[S, L], canon func(S) S) Model[S, L] {
	return &reduced[S, L]{inner: m, canon: canon}
}

type reduced[S comparable, L any] struct {
	inner Model[S, L]
	canon func(S) S
}

func (r *reduced[S, L]) Init() []S                       { return r.inner.Init() }
func (r *reduced[S, L]) Successors(s S, emit func(L, S)) { r.inner.Successors(s, emit) }

// unreduced returns the model a [Reduce] wrapped, and its map (nil for a
// model that is not reduced).
func unreduced[S comparable, L any](m Model[S, L]) (Model[S, L], func(S) S) {
	if r, ok := m.(*reduced[S, L]); ok {
		return r.inner, r.canon
	}
	return m, nil
}

// concretize turns a path of the quotient (representatives, each step's
// label emitted from the representative before it) into a run of the
// model, as Reduce describes. last, if non-nil, must also accept the final
// transition.
func (e *explorer[S, L]) concretize(p *Path[S, L], last func(from S, l L, to S) bool) (*Path[S, L], error) {
	i := slices.Index(e.inits, p.Init)
	if i < 0 {
		return nil, fmt.Errorf("%w: a path starts at a state that is not a stored initial state", ErrNotSymmetry)
	}
	q := &Path[S, L]{Init: e.initial[i], Steps: make([]Step[S, L], 0, len(p.Steps))}
	cur := q.Init
	for k, st := range p.Steps {
		want := e.canon(st.State)
		var label L
		var next S
		found := false
		e.m.Successors(cur, func(l L, x S) {
			if found || e.canon(x) != want || k == len(p.Steps)-1 && last != nil && !last(cur, l, x) {
				return
			}
			label, next, found = l, x, true
		})
		if !found {
			return nil, fmt.Errorf("%w: step %d of a path has no counterpart from the run's state there", ErrNotSymmetry, k+1)
		}
		q.Steps = append(q.Steps, Step[S, L]{Label: label, State: next})
		cur = next
	}
	return q, nil
}

func isHasher[S comparable, L any](m Model[S, L]) bool {
	_, ok := m.(Hasher[S])
	return ok
}
