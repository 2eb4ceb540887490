package conformance

import (
	"fmt"
	"strings"
)

// matcher follows the kernel's segments through the alternatives of one
// expectation. It is pure: it sees segments, never the clock or the
// device.
type matcher struct {
	alts [][]segSpec
	ep   endpoints
	st   []altState
}

// altState is how far one alternative has got.
type altState struct {
	pos    int      // specs matched
	b      Bindings // bindings with what the matched segments bound
	last   segKey   // the last matched segment, for folding its repeats
	dead   bool
	reason string // why it died
}

// feedKind is what one kernel segment did to an expectation.
type feedKind uint8

const (
	feedProgress feedKind = iota + 1 // matched the next spec of an alternative that is not complete yet
	feedFolded                       // repeated an alternative's last matched segment: a retransmission
	feedDone                         // completed an alternative
	feedMismatch                     // continues no alternative
)

// feedResult is the outcome of [matcher.feed].
type feedResult struct {
	kind     feedKind
	alt      int      // feedDone: the completed alternative
	bindings Bindings // feedDone: its bindings
	reason   string   // feedMismatch: why each alternative refused it
}

func newMatcher(alts [][]segSpec, b Bindings, ep endpoints) *matcher {
	m := &matcher{alts: alts, ep: ep, st: make([]altState, len(alts))}
	for i := range m.st {
		m.st[i].b = b
	}
	return m
}

// feed offers the next kernel segment to every live alternative. The first
// alternative (in order) that it completes wins; an alternative that is a
// prefix of another therefore wins as soon as it is complete.
func (m *matcher) feed(s Segment) feedResult {
	progressed, folded := false, false
	var reasons []string
	for i := range m.st {
		a := &m.st[i]
		if a.dead {
			continue
		}
		if a.pos > 0 && keyOf(s) == a.last {
			folded = true
			continue
		}
		nb, why := m.alts[i][a.pos].match(s, a.b, m.ep)
		if nb == nil {
			a.dead, a.reason = true, why
			reasons = append(reasons, why)
			continue
		}
		a.pos, a.b, a.last = a.pos+1, nb, keyOf(s)
		if a.pos == len(m.alts[i]) {
			return feedResult{kind: feedDone, alt: i, bindings: nb}
		}
		progressed = true
	}
	switch {
	case progressed:
		return feedResult{kind: feedProgress}
	case folded:
		return feedResult{kind: feedFolded}
	}
	return feedResult{kind: feedMismatch, reason: strings.Join(reasons, "; ")}
}

// furthest describes how far the best alternative got, for a timeout:
// "nothing", or "only the first 1 of 2 segments of alternative 2".
func (m *matcher) furthest() string {
	best := -1
	for i, a := range m.st {
		if !a.dead && a.pos > 0 && (best < 0 || a.pos > m.st[best].pos) {
			best = i
		}
	}
	if best < 0 {
		return "nothing more"
	}
	if len(m.alts) == 1 {
		return fmt.Sprintf("only %d of its %d segments", m.st[best].pos, len(m.alts[best]))
	}
	return fmt.Sprintf("only %d of the %d segments of alternative %d", m.st[best].pos, len(m.alts[best]), best+1)
}

// altText writes an alternative as the script does.
func altText(alt []segSpec) string {
	parts := make([]string, len(alt))
	for i, sp := range alt {
		parts[i] = sp.text
	}
	return strings.Join(parts, "; ")
}

// expectedText writes an expectation: "A" or "one of {A} or {B; C}".
func expectedText(alts [][]segSpec) string {
	if len(alts) == 1 {
		return altText(alts[0])
	}
	parts := make([]string, len(alts))
	for i, a := range alts {
		parts[i] = "{" + altText(a) + "}"
	}
	return "one of " + strings.Join(parts, " or ")
}
