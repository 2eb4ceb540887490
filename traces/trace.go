package traces

import (
	"fmt"
	"strings"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/variants"
)

// Format is the value of every trace file's "format" field.
const Format = "timewait-trace"

// Version is the trace format version this package writes and reads.
const Version = 1

// DefaultVariant names the model's rules as configured, with no named
// variant; any other value must name a variant of package variants whose
// rules the configuration has.
const DefaultVariant = "default"

// UnnamedRules is the variant of a trace found with rule overrides
// (model.Rules) that no variant names yet: FromPath sets it, Encode refuses
// it, and Trace.SetVariant replaces it.
const UnnamedRules = "(unnamed rules)"

// Trace kinds: a run that violates a safety property, or one that reaches a
// witness.
const (
	KindCounterexample = "counterexample"
	KindWitness        = "witness"
)

// How a trace was found.
const (
	SearchShortest     = "shortest"      // breadth-first: fewest steps
	SearchFewestFaults = "fewest-faults" // fewest faults, then fewest steps
)

// Trace is a counterexample or witness as data, and the content of a trace
// file (docs/trace-format.md). Actions are the replayable content; Init,
// States (one per action, after it) and Labels are for readers and are
// checked on replay.
type Trace struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Variant string `json:"variant"`
	// VariantDigest is the digest of a user variant's rule overrides
	// (variants.Variant.Digest); empty for the built-in variants.
	VariantDigest string       `json:"variant_digest,omitempty"`
	Property      string       `json:"property"`
	Kind          string       `json:"kind"`
	Search        string       `json:"search,omitempty"`
	Readable      bool         `json:"readable,omitempty"` // steps regrouped by [Readable]
	Faults        *FaultSet    `json:"faults,omitempty"`
	Config        model.Config `json:"config"`
	Init          string       `json:"init"`
	Actions       []string     `json:"actions"`
	States        []string     `json:"states"`
	Labels        []string     `json:"labels"`
	// User is the user variant named by Variant, attached by SetVariant or
	// Attach (it is not encoded: a trace file names it and records its
	// digest).
	User *variants.Variant `json:"-"`
	_    struct{}          `json:"-"`
}

// rulesNamed refuses a trace whose configuration carries rule overrides
// (model.Rules, which a trace file does not hold) that its variant does not
// account for: without this, the file would name rules it was not found
// with, and replay would run other rules.
func (t Trace) rulesNamed() error {
	if t.Config.Rules == nil {
		return nil
	}
	if t.Variant == UnnamedRules {
		return &ReplayError{Reason: "the trace was found with rule overrides (model.Rules) that no variant names; name the user variant with Trace.SetVariant before writing it"}
	}
	if !t.rulesAttached() {
		return &ReplayError{Reason: fmt.Sprintf("the configuration carries rule overrides (model.Rules) that variant %q does not have; name the user variant with Trace.SetVariant", t.Variant)}
	}
	return nil
}

// rulesAttached reports whether the configuration's rule overrides, if any,
// are those of the user variant attached under the trace's variant name.
func (t Trace) rulesAttached() bool {
	return t.Config.Rules == nil || (t.User != nil && t.User.Name == t.Variant && t.User.Rules == t.Config.Rules)
}

// SetVariant names v as the trace's variant and records the digest of its
// rules; for a user variant (one with Rules or Configure) it also attaches
// v, so that the trace replays without a catalogue.
func (t *Trace) SetVariant(v variants.Variant) error {
	d, err := v.Digest()
	if err != nil {
		return err
	}
	_, builtin := variants.ByName(v.Name)
	if builtin && t.Config.Rules != nil {
		return fmt.Errorf("the configuration carries rule overrides: variant %s is built in and has none", v.Name)
	}
	t.Variant, t.VariantDigest, t.User = v.Name, d, nil
	if !builtin {
		t.User = &v
	}
	return nil
}

// Attach finds t's variant in cat and attaches it when it is a user
// variant, refusing a variant cat does not have and one whose rules no
// longer have the digest the trace records.
func Attach(t Trace, cat *variants.Catalogue) (Trace, error) {
	if t.Variant == "" || t.Variant == DefaultVariant {
		return t, nil
	}
	v, ok := cat.ByName(t.Variant)
	if !ok {
		return t, &ReplayError{Reason: fmt.Sprintf("unknown variant %q (known: %s, %s)", t.Variant, DefaultVariant, strings.Join(cat.Names(), ", "))}
	}
	d, err := v.Digest()
	if err != nil {
		return t, &ReplayError{Reason: fmt.Sprintf("variant %s: %v", v.Name, err)}
	}
	if d != t.VariantDigest {
		return t, &ReplayError{Reason: fmt.Sprintf("variant %s's rules changed since the trace was written (digest %s, the trace records %q)", v.Name, d, t.VariantDigest)}
	}
	if _, builtin := variants.ByName(v.Name); !builtin {
		t.User = &v
	}
	return t, nil
}

// ReplayIn is Replay for a trace whose variant may be a user variant
// registered in cat.
func ReplayIn(t Trace, cat *variants.Catalogue) (Replayed, error) {
	t, err := Attach(t, cat)
	if err != nil {
		return Replayed{}, err
	}
	return Replay(t)
}

// Replayed is a trace rebuilt through the model: the trace itself, the
// resolved configuration, the initial state and, for each action, its label
// and the state after it.
type Replayed struct {
	Trace  Trace
	Config model.Config
	Init   model.State
	Steps  []checker.Step[model.State, model.Label]
}

// State returns the state after step i (1-based); 0 is the initial state.
func (r Replayed) State(i int) model.State {
	if i == 0 {
		return r.Init
	}
	return r.Steps[i-1].State
}

// ReplayError says which step of a trace did not replay and why.
type ReplayError struct {
	Step   int // 1-based; 0 = the trace as a whole
	Action string
	Reason string
}

// Error says "trace does not replay", the step and why.
func (e *ReplayError) Error() string {
	if e.Step == 0 {
		return "trace does not replay: " + e.Reason
	}
	return fmt.Sprintf("trace does not replay at step %d (%s): %s", e.Step, e.Action, e.Reason)
}

// Replay rebuilds every state of t by running its actions through the model
// of t.Config, and checks the recorded initial state, states and labels where
// present.
func Replay(t Trace) (Replayed, error) {
	if t.Version != Version {
		return Replayed{}, &ReplayError{Reason: fmt.Sprintf("format version %d, this tool reads %d", t.Version, Version)}
	}
	if !t.rulesAttached() {
		return Replayed{}, t.rulesNamed()
	}
	if t.Variant != "" && t.Variant != DefaultVariant {
		v, ok := variants.ByName(t.Variant)
		switch {
		case t.User != nil && t.User.Name == t.Variant:
			v, ok = *t.User, true
			t.Config.Rules = v.Rules
		case ok && t.VariantDigest != "":
			return Replayed{}, &ReplayError{Reason: fmt.Sprintf("variant %s has no rule overrides, but the trace records a rules digest", v.Name)}
		case !ok:
			return Replayed{}, &ReplayError{Reason: fmt.Sprintf("unknown variant %q (known: %s, %s; a user variant needs traces.ReplayIn with a catalogue that registers it)", t.Variant, DefaultVariant, strings.Join(variants.Names(), ", "))}
		}
		if !v.Holds(t.Config) {
			return Replayed{}, &ReplayError{Reason: fmt.Sprintf("the configuration does not have variant %s's rules (it sets %s)", v.Name, strings.Join(v.Sets, ", "))}
		}
	} else if t.VariantDigest != "" {
		return Replayed{}, &ReplayError{Reason: "the default variant has no rule overrides, but the trace records a rules digest"}
	}
	if t.Config.Grid == 0 {
		return Replayed{}, &ReplayError{Reason: "configuration: grid is 0; a trace records the grid it was found on (1..8)"}
	}
	m, err := model.New(t.Config)
	if err != nil {
		return Replayed{}, &ReplayError{Reason: "configuration: " + err.Error()}
	}
	init := m.Init()[0]
	if t.Init != "" && t.Init != init.String() {
		return Replayed{}, &ReplayError{Reason: "initial state differs from the model's"}
	}
	r := Replayed{Trace: t, Config: m.Config(), Init: init}
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
		if i < len(t.Labels) && t.Labels[i] != l.String() {
			return r, &ReplayError{Step: i + 1, Action: as, Reason: "the step does " + l.String() + ", the trace records " + t.Labels[i]}
		}
		r.Steps = append(r.Steps, checker.Step[model.State, model.Label]{Label: l, State: next})
		s = next
	}
	if t.Faults != nil {
		if got := Faults(r); got != *t.Faults {
			return r, &ReplayError{Reason: fmt.Sprintf("the trace records faults %q (total %d), the run has %q (total %d)", t.Faults.Summary, t.Faults.Total, got.Summary, got.Total)}
		}
	}
	return r, nil
}

// FromPath builds the trace of an explorer path for property, records its
// fault set, and replays it once; an error means the path and the model
// disagree. search is [SearchShortest] or [SearchFewestFaults].
func FromPath(cfg model.Config, p properties.Property, search string, path *checker.Path[model.State, model.Label]) (Trace, Replayed, error) {
	kind := KindCounterexample
	if p.Kind == properties.Sometimes {
		kind = KindWitness
	}
	t := Trace{
		Format: Format, Version: Version, Variant: DefaultVariant, Property: p.ID, Kind: kind, Search: search,
		Config: cfg, Init: path.Init.String(), Actions: []string{}, States: []string{}, Labels: []string{},
	}
	for _, st := range path.Steps {
		t.Actions = append(t.Actions, st.Label.Action.String())
		t.States = append(t.States, st.State.String())
		t.Labels = append(t.Labels, st.Label.String())
	}
	if cfg.Rules != nil {
		// Rules not yet named: the trace replays in memory, and Encode
		// refuses it until SetVariant names the user variant.
		t.Variant = UnnamedRules
		t.User = &variants.Variant{Name: UnnamedRules, Rules: cfg.Rules}
	}
	r, err := Replay(t)
	if err != nil {
		return t, r, err
	}
	if r.Steps != nil && r.Steps[len(r.Steps)-1].State != path.Last() {
		return t, r, &ReplayError{Step: len(r.Steps), Reason: "replay ends in a different state than the path"}
	}
	fs := Faults(r)
	t.Faults = &fs
	r.Trace = t
	return t, r, nil
}
