package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// pair is a state of the product of two models run in lockstep: both
// states, and whether the last step told them apart.
type pair struct {
	S        [2]model.State
	Diverged bool
}

// pairStep is one lockstep transition: the action both were offered, and
// what each did with it (OK false: not enabled there).
type pairStep struct {
	Action model.Action
	Label  [2]model.Label
	OK     [2]bool
}

// product runs two models in lockstep on the same actions.
type product struct{ m [2]*model.Model }

func (p product) Init() []pair {
	return []pair{{S: [2]model.State{p.m[0].Init()[0], p.m[1].Init()[0]}}}
}

// Successors offers every action enabled in either model, in a fixed order
// (the first model's actions, then the second's that are new). A step that
// only one model can take, or that the two take with different labels, leads
// to a diverged state with no successors. Labels are compared by what is
// observable (see observable).
func (p product) Successors(s pair, emit func(pairStep, pair)) {
	if s.Diverged {
		return
	}
	type out struct {
		label model.Label
		next  model.State
	}
	var acts []model.Action
	var took [2]map[model.Action]out
	for i := range 2 {
		took[i] = map[model.Action]out{}
		p.m[i].Successors(s.S[i], func(l model.Label, n model.State) {
			// Each model emits an action once; the second's are new only if
			// the first does not have them.
			if _, both := took[0][l.Action]; i == 0 || !both {
				acts = append(acts, l.Action)
			}
			took[i][l.Action] = out{l, n}
		})
	}
	for _, a := range acts {
		st := pairStep{Action: a}
		next := s
		for i := range 2 {
			var o out
			o, st.OK[i] = took[i][a]
			if st.OK[i] {
				st.Label[i], next.S[i] = o.label, o.next
			}
		}
		next.Diverged = !st.OK[0] || !st.OK[1] || observable(st.Label[0]) != observable(st.Label[1])
		emit(st, next)
	}
}

// observable is what a label shows from outside the rules' prose: the
// action, the handler (connection state × event) and the copies emitted. The
// note, the rule's description in words, differs between variants even where
// their behaviour agrees ("ignore RST" and "drop out-of-window RST").
func observable(l model.Label) model.Label {
	l.Note, l.Mutant = "", false
	return l
}

// Divergence is the shortest run that tells two configurations apart: the
// same actions, the same labels at every step but the last, where one
// configuration cannot take the action or takes it with another label.
type Divergence struct {
	Actions []model.Action
	// Runs are each configuration's run: every step of the common prefix,
	// then the last step where that configuration can take it.
	Runs [2]*Path
	// Last is what each configuration does with the last action, as a label
	// string, or "not enabled".
	Last [2]string
}

// Comparison is the result of [Distinguish].
type Comparison struct {
	Configs    [2]model.Config // resolved, on one grid
	Divergence *Divergence     // nil: the two are indistinguishable (when Complete)
	States     int             // product states explored
	Complete   bool
	StopReason string
}

// Distinguish searches the product of two configurations, run in lockstep
// on the same actions, breadth-first for the shortest run whose labels one
// of them cannot reproduce. Both are explored on the same grid: the finer of
// their exact grids (a zero Grid is resolved as by [Check] for props).
func Distinguish(ctx context.Context, a, b model.Config, props []properties.Property, maxStates int) (Comparison, error) {
	g := max(ExactGrid(a, props), ExactGrid(b, props))
	a.Grid, b.Grid = g, g
	// A Rules.ISS turns the fault timing off in its model; the lockstep
	// comparison needs the same fault times on both sides.
	if a.Rules != nil && a.Rules.ISS != nil || b.Rules != nil && b.Rules.ISS != nil {
		a.LateFaults, b.LateFaults = true, true
	}
	var p product
	for i, c := range []model.Config{a, b} {
		m, err := model.New(c)
		if err != nil {
			return Comparison{}, fmt.Errorf("configuration %d: %w", i+1, err)
		}
		p.m[i] = m
	}
	res, err := checker.Check[pair, pairStep](ctx, p, []checker.Property[pair, pairStep]{{
		Name: "indistinguishable", Kind: checker.Always, State: func(s pair) bool { return !s.Diverged },
	}}, checker.Options{MaxStates: maxStates, StopWhenDecided: true})
	if err != nil && !errors.Is(err, context.Canceled) {
		return Comparison{}, err
	}
	out := Comparison{Configs: [2]model.Config{p.m[0].Config(), p.m[1].Config()}, States: res.States,
		Complete: res.Complete || res.StopReason == "decided", StopReason: res.StopReason}
	if out.StopReason == "decided" {
		out.StopReason = ""
	}
	pr := res.Properties[0]
	if pr.Verdict != checker.Violated {
		return out, err
	}
	d := &Divergence{}
	for i := range 2 {
		d.Runs[i] = &Path{Init: pr.Path.Init.S[i]}
	}
	for k, st := range pr.Path.Steps {
		d.Actions = append(d.Actions, st.Label.Action)
		for i := range 2 {
			if st.Label.OK[i] {
				d.Runs[i].Steps = append(d.Runs[i].Steps, checker.Step[model.State, model.Label]{Label: st.Label.Label[i], State: st.State.S[i]})
			}
			if k == len(pr.Path.Steps)-1 {
				d.Last[i] = "not enabled"
				if st.Label.OK[i] {
					d.Last[i] = st.Label.Label[i].String()
				}
			}
		}
	}
	out.Divergence = d
	return out, err
}
