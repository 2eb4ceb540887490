package traces

import (
	"fmt"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
)

// Version is the trace format version.
const Version = 1

// Trace is a counterexample or witness as data. Actions are the replayable
// content; States (one per action, after it) and Init are for readers and
// are checked on replay.
type Trace struct {
	Version  int          `json:"version"`
	Property string       `json:"property"`
	Config   model.Config `json:"config"`
	Init     string       `json:"init"`
	Actions  []string     `json:"actions"`
	States   []string     `json:"states"`
	Labels   []string     `json:"labels"`
	_        struct{}     `json:"-"`
}

// Replayed is a trace rebuilt through the model: the initial state and, for
// each action, its label and the state after it.
type Replayed struct {
	Config model.Config
	Init   model.State
	Steps  []checker.Step[model.State, model.Label]
}

// ReplayError says which step of a trace did not replay and why.
type ReplayError struct {
	Step   int // 1-based; 0 = the trace as a whole
	Action string
	Reason string
}

func (e *ReplayError) Error() string {
	if e.Step == 0 {
		return "trace does not replay: " + e.Reason
	}
	return fmt.Sprintf("trace does not replay at step %d (%s): %s", e.Step, e.Action, e.Reason)
}

// Replay rebuilds every state of t by running its actions through the model
// of t.Config, and checks the recorded states where present.
func Replay(t Trace) (Replayed, error) {
	if t.Version != Version {
		return Replayed{}, &ReplayError{Reason: fmt.Sprintf("format version %d, this tool reads %d", t.Version, Version)}
	}
	m, err := model.New(t.Config)
	if err != nil {
		return Replayed{}, &ReplayError{Reason: "configuration: " + err.Error()}
	}
	init := m.Init()[0]
	if t.Init != "" && t.Init != init.String() {
		return Replayed{}, &ReplayError{Reason: "initial state differs from the model's"}
	}
	r := Replayed{Config: m.Config(), Init: init}
	s := init
	for i, as := range t.Actions {
		a, err := model.ParseAction(as)
		if err != nil {
			return r, &ReplayError{Step: i + 1, Action: as, Reason: err.Error()}
		}
		next, l, ok := m.Step(s, a)
		if !ok {
			return r, &ReplayError{Step: i + 1, Action: as, Reason: "not enabled in state " + s.String()}
		}
		if i < len(t.States) && t.States[i] != next.String() {
			return r, &ReplayError{Step: i + 1, Action: as, Reason: "reaches " + next.String() + ", the trace records " + t.States[i]}
		}
		r.Steps = append(r.Steps, checker.Step[model.State, model.Label]{Label: l, State: next})
		s = next
	}
	return r, nil
}

// FromPath builds the trace of an explorer path and replays it once; an error
// means the path and the model disagree.
func FromPath(cfg model.Config, property string, p *checker.Path[model.State, model.Label]) (Trace, Replayed, error) {
	t := Trace{Version: Version, Property: property, Config: cfg, Init: p.Init.String()}
	for _, st := range p.Steps {
		t.Actions = append(t.Actions, st.Label.Action.String())
		t.States = append(t.States, st.State.String())
		t.Labels = append(t.Labels, st.Label.String())
	}
	r, err := Replay(t)
	if err != nil {
		return t, r, err
	}
	if r.Steps != nil && r.Steps[len(r.Steps)-1].State != p.Last() {
		return t, r, &ReplayError{Step: len(r.Steps), Reason: "replay ends in a different state than the path"}
	}
	return t, r, nil
}
