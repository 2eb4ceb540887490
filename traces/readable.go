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
// gives the same two labels and reaches the same state, and the whole run
// keeps the same fault set (send order included) and meets the property's
// target at the same step. Every later state is then unchanged, so the run
// ends in the same state with the same labels: it is the same
// counterexample, told in a better order. Ticks are never moved.
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
	wantFaults := Faults(r)
	wantAt := -1
	if hasProp {
		wantAt = Evaluate(r, p)
	}
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
			cand := append([]checker.Step[model.State, model.Label](nil), steps...)
			cand[i] = checker.Step[model.State, model.Label]{Label: l1, State: mid}
			cand[i+1] = checker.Step[model.State, model.Label]{Label: l2, State: end}
			cr := Replayed{Init: r.Init, Steps: cand}
			if Faults(cr) != wantFaults || (hasProp && Evaluate(cr, p) != wantAt) {
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
