package traces

import (
	"fmt"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// Recheck is a trace's property evaluated again on its replay.
type Recheck struct {
	Property properties.Property
	// At is the first step (1-based; 0 = the initial state) at which a
	// safety property is violated or a witness is satisfied, or -1 if the
	// replayed run never does.
	At int
}

// Shows reports whether the run still shows what its kind claims: a
// counterexample violates its property, a witness reaches its goal.
func (c Recheck) Shows() bool { return c.At >= 0 }

// Evaluate returns the first step of r at which p is violated (Always) or
// satisfied (Sometimes), or -1. A state the model could not represent
// (network overflow) violates every safety property, as in the explorer.
func Evaluate(r Replayed, p properties.Property) int {
	hit := func(s model.State) bool {
		if p.State == nil {
			return false
		}
		if p.Kind == properties.Sometimes {
			return p.State(s)
		}
		return s.Err != model.NoErr || !p.State(s)
	}
	step := func(from model.State, l model.Label, to model.State) bool {
		if p.Step == nil {
			return false
		}
		ok := p.Step(from, l, to)
		if p.Kind == properties.Sometimes {
			return ok
		}
		return !ok
	}
	if hit(r.Init) {
		return 0
	}
	prev := r.Init
	for i, st := range r.Steps {
		if step(prev, st.Label, st.State) || hit(st.State) {
			return i + 1
		}
		prev = st.State
	}
	return -1
}

// Verify replays t and evaluates its property on the replay. The error is a
// [*ReplayError] when the trace does not replay or names no known property,
// or when its kind does not match the property's.
func Verify(t Trace) (Replayed, Recheck, error) {
	p, ok := properties.ByID(t.Property)
	if !ok {
		return Replayed{}, Recheck{At: -1}, &ReplayError{Reason: fmt.Sprintf("unknown property %q", t.Property)}
	}
	want, what := KindCounterexample, "safety"
	if p.Kind == properties.Sometimes {
		want, what = KindWitness, "reachability"
	}
	if t.Kind != "" && t.Kind != want {
		return Replayed{}, Recheck{At: -1}, &ReplayError{Reason: fmt.Sprintf("kind %q, but %s is a %s property (want %q)", t.Kind, p.ID, what, want)}
	}
	r, err := Replay(t)
	if err != nil {
		return r, Recheck{Property: p, At: -1}, err
	}
	return r, Recheck{Property: p, At: Evaluate(r, p)}, nil
}
