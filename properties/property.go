package properties

import (
	"fmt"
	"strings"

	"github.com/timewait/timewait/model"
)

// Kind says whether a property must always hold or must be reachable.
type Kind uint8

// Kinds.
const (
	// Always: must hold on every reachable state and transition (safety).
	Always Kind = iota + 1
	// Sometimes: must be satisfied somewhere (a reachability witness).
	Sometimes
)

// String returns "always" or "sometimes".
func (k Kind) String() string {
	if k == Sometimes {
		return "sometimes"
	}
	return "always"
}

// Property is one named property. At least one of State and Step is set.
type Property struct {
	ID      string // stable kebab-case identifier
	Kind    Kind
	Title   string // one line
	Ref     string // the RFC text it rests on
	Doc     string // what it means, precisely
	Witness string // Always: ID of the Sometimes property that shows it is not vacuous
	Mutant  model.Mutant
	// Hops is the number of lifetime-bounded network hops in the longest
	// chain of events that sets this property's threshold. A strict lifetime
	// is exact on a grid of at least Hops sub-ticks per tick (docs/model.md,
	// "Time"); verify.ExactGrid uses it.
	Hops int
	// Threshold names, in words, the chain of events that sets the smallest
	// safe TIME-WAIT in the default configuration.
	Threshold string
	// Symmetric says that the predicates give the same answer on a state
	// and on its mirror (model.Mirror), and on a transition and its
	// mirror (model.MirrorLabel): the property does not single out A or B.
	// Only then may a search of a symmetric configuration be reduced by
	// the A↔B symmetry (verify.Check). Every catalogue property is
	// symmetric (TestCatalogueIsSymmetric).
	Symmetric bool
	State     func(s model.State) bool
	Step      func(from model.State, l model.Label, to model.State) bool
}

// All returns the safety properties followed by their witnesses, in a fixed
// order. The slice is fresh.
func All() []Property {
	return []Property{
		NoRSTOnRetransmittedFIN(), NoStaleSegmentAccepted(), NoStaleReset(),
		RetransmittedFINInTimeWait(), StaleSegmentRejected(), OrphanResetDelivered(),
	}
}

// Safety returns the Always properties in catalogue order.
func Safety() []Property {
	var out []Property
	for _, p := range All() {
		if p.Kind == Always {
			out = append(out, p)
		}
	}
	return out
}

// ByID returns the property with that ID.
func ByID(id string) (Property, bool) {
	for _, p := range All() {
		if p.ID == id {
			return p, true
		}
	}
	return Property{}, false
}

// Lookup returns the properties with the given IDs, in the order given, or an
// error naming the first unknown ID. Duplicates are kept once.
func Lookup(ids []string) ([]Property, error) {
	var out []Property
	seen := map[string]bool{}
	for _, id := range ids {
		p, ok := ByID(id)
		if !ok {
			return nil, fmt.Errorf("unknown property %q (known: %s)", id, strings.Join(IDs(), ", "))
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// IDs lists every property ID in catalogue order.
func IDs() []string {
	var out []string
	for _, p := range All() {
		out = append(out, p.ID)
	}
	return out
}

// delivered returns the copy a transition delivered and its receiver.
func delivered(l model.Label) (model.Segment, model.Side, bool) {
	if l.Action.Kind != model.ActDeliver {
		return model.Segment{}, 0, false
	}
	return l.Action.Seg, l.Action.Seg.Src.Peer(), true
}
