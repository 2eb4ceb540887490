package traces

import (
	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// Readable regroups a replayed run so that each actor's steps (A's, B's, the
// network's) stay together where the model allows it. It swaps adjacent
// steps of different actors only when the swap strictly reduces the number
// of actor changes and the pair, run in the new order from the same state,
// gives the same two labels, reaches the same state, costs the same faults,
// and does not meet the property's target earlier. Every later state is then
// unchanged, so the run ends in the same state with the same labels: it is
// the same counterexample, told in a better order. Ticks are never moved.
//
// The result is replayed once (an error means the model and the run
// disagree) and marked Readable.
func Readable(r Replayed) (Replayed, error) {
	m, err := model.New(r.Trace.Config)
	if err != nil {
		return r, &ReplayError{Reason: "configuration: " + err.Error()}
	}
	p, hasProp := properties.ByID(r.Trace.Property)
	steps := append([]checker.Step[model.State, model.Label](nil), r.Steps...)
	state := func(i int) model.State { // state before step i (0-based)
		if i == 0 {
			return r.Init
		}
		return steps[i-1].State
	}
	who := func(i int) string {
		if i < 0 || i >= len(steps) {
			return "\x00"
		}
		if steps[i].Label.Action.Kind == model.ActTick {
			return "tick"
		}
		return actor(steps[i].Label)
	}
	changes := func(i int) int { // actor changes among steps i-1 .. i+2
		n := 0
		for k := i - 1; k <= i+1; k++ {
			if k >= 0 && k+1 < len(steps) && who(k) != who(k+1) {
				n++
			}
		}
		return n
	}
	for moved := true; moved; {
		moved = false
		for i := 0; i+1 < len(steps); i++ {
			if who(i) == who(i+1) || who(i) == "tick" || who(i+1) == "tick" {
				continue
			}
			before := changes(i)
			steps[i], steps[i+1] = steps[i+1], steps[i]
			after := changes(i)
			steps[i], steps[i+1] = steps[i+1], steps[i]
			if after >= before {
				continue
			}
			s0 := state(i)
			first, second := steps[i], steps[i+1]
			mid, l1, ok1 := m.Step(s0, second.Label.Action)
			if !ok1 || l1 != second.Label {
				continue
			}
			end, l2, ok2 := m.Step(mid, first.Label.Action)
			if !ok2 || l2 != first.Label || end != second.State {
				continue
			}
			if model.Faults(s0, l1)+model.Faults(mid, l2) != model.Faults(s0, first.Label)+model.Faults(first.State, second.Label) {
				continue
			}
			if hasProp && meets(p, s0, l1, mid) {
				continue
			}
			steps[i] = checker.Step[model.State, model.Label]{Label: l1, State: mid}
			steps[i+1] = checker.Step[model.State, model.Label]{Label: l2, State: end}
			moved = true
		}
	}
	t := r.Trace
	t.Actions, t.States, t.Labels = make([]string, len(steps)), make([]string, len(steps)), make([]string, len(steps))
	for i, st := range steps {
		t.Actions[i], t.States[i], t.Labels[i] = st.Label.Action.String(), st.State.String(), st.Label.String()
	}
	t.Readable = true
	out, err := Replay(t)
	if err != nil {
		return r, err
	}
	if fs := Faults(out); t.Faults != nil {
		t.Faults = &fs
		out.Trace = t
	}
	return out, nil
}

// meets reports whether the transition from → to (label l) reaches p's
// target: it violates a safety property or satisfies a witness.
func meets(p properties.Property, from model.State, l model.Label, to model.State) bool {
	one := Replayed{Init: from, Steps: []checker.Step[model.State, model.Label]{{Label: l, State: to}}}
	return Evaluate(one, p) == 1
}
