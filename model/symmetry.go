package model

import "cmp"

// Symmetric reports whether the configuration treats A and B alike, so that
// swapping the two sides maps the model onto itself: the map [Mirror] is then
// an automorphism of the transition system (it maps the initial state to
// itself and every transition to a transition, with [MirrorLabel] labels).
//
// Every workload the model has is otherwise asymmetric: B's first
// incarnation sends a data octet, only A connects again and only B listens
// again, and the close orders other than "any" and A's abort single out a
// side. So a symmetric configuration is: [Config.NoData], one incarnation,
// [AnyFirst] closes, [CloseFIN] and no Rules (a user's rule may look at
// the side). The timers, lifetimes, the same-instant rule, timestamps and
// the mutants (each changes a TIME-WAIT handler either side may run) apply
// to both sides alike. The rest of the model's side-specific rules are
// unreachable with one incarnation, and only for that reason symmetric
// here: B's listening again, A's connecting (tcp_tw_reuse, the
// connect-in-TIME-WAIT mutant), a SYN reopening B's TIME-WAIT (TWSyn), the
// SYN-RECEIVED rules, and the ISN clocks, which stay frozen at 0. Widening
// this predicate needs that argument redone.
// TestMirrorIsAutomorphism checks the claim over the whole reachable space
// of symmetric configurations with each of those options (the first 20,000
// states of each under -short).
func (c Config) Symmetric() bool {
	return c.NoData && c.Incarnations == 1 && c.CloseOrder == AnyFirst && c.CloseMode == CloseFIN &&
		c.Rules == nil
}

// Mirror returns s with A and B swapped: the endpoints, their ghost
// TIME-WAIT history and ISN clocks, and the sender of every copy in flight
// (the network kept in canonical order).
func Mirror(s State) State {
	s.Ends[A], s.Ends[B] = s.Ends[B], s.Ends[A]
	s.TWEntered[A], s.TWEntered[B] = s.TWEntered[B], s.TWEntered[A]
	s.Clock[A], s.Clock[B] = s.Clock[B], s.Clock[A]
	n := s.Net
	s.Net = Network{}
	for i := 0; i < int(n.n); i++ {
		s.Net.insert(mirrorSeg(unpack(n.segs[i])))
	}
	return s
}

func mirrorSeg(g Segment) Segment {
	g.Src = g.Src.Peer()
	return g
}

// MirrorLabel returns l as the mirrored transition's label: the side of a
// close, connect or timeout and the sender of every copy named or emitted
// swapped.
func MirrorLabel(l Label) Label {
	switch l.Action.Kind {
	case ActClose, ActConnect, ActTimeout:
		l.Action.Side = l.Action.Side.Peer()
	case ActDeliver, ActDrop, ActDuplicate:
		l.Action.Seg = mirrorSeg(l.Action.Seg)
	}
	for i := range l.Sent[:l.NSent] {
		l.Sent[i] = mirrorSeg(l.Sent[i])
	}
	return l
}

// Canonical returns the representative of s's orbit under [Mirror]: of s and
// Mirror(s), the one whose A endpoint comes first in a fixed total order
// (then, for equal endpoints, the one whose network does). Canonical(s) ==
// Canonical(Mirror(s)) for every s. It is the symmetry reduction's map
// (checker.Reduce); it is meaningful only for a [Config.Symmetric]
// configuration.
func Canonical(s State) State {
	c := cmp.Compare(endWord(&s.Ends[A]), endWord(&s.Ends[B]))
	if c == 0 {
		c = compareEnds(&s.Ends[A], &s.Ends[B])
	}
	if c < 0 {
		return s
	}
	m := Mirror(s)
	if c > 0 {
		return m
	}
	// Equal endpoints: the network, then the ghost history and clocks,
	// decide.
	for i := 0; i < int(s.Net.n); i++ {
		if c = cmp.Compare(s.Net.segs[i], m.Net.segs[i]); c != 0 {
			break
		}
	}
	if c == 0 {
		c = cmp.Or(cmp.Compare(s.TWEntered[A], s.TWEntered[B]), cmp.Compare(s.Clock[A], s.Clock[B]))
	}
	if c > 0 {
		return m
	}
	return s
}

// compareEnds is a total order on endpoints: every field, in declaration
// order.
func compareEnds(a, b *Endpoint) int {
	timer := func(x, y Timer) int {
		return cmp.Or(cmp.Compare(boolBit(x.On), boolBit(y.On)), cmp.Compare(x.Due, y.Due), cmp.Compare(x.Tries, y.Tries))
	}
	return cmp.Or(
		cmp.Compare(a.St, b.St), cmp.Compare(a.Inc, b.Inc), cmp.Compare(a.ISS, b.ISS),
		cmp.Compare(a.SndUna, b.SndUna), cmp.Compare(a.SndNxt, b.SndNxt), cmp.Compare(a.RcvNxt, b.RcvNxt),
		cmp.Compare(a.IRS, b.IRS), cmp.Compare(boolBit(a.Data), boolBit(b.Data)),
		cmp.Compare(boolBit(a.AppClosed), boolBit(b.AppClosed)),
		timer(a.Rtx[0], b.Rtx[0]), timer(a.Rtx[1], b.Rtx[1]), timer(a.TW, b.TW),
		cmp.Compare(a.TSRecent, b.TSRecent), cmp.Compare(a.TSInc, b.TSInc),
		cmp.Compare(boolBit(a.Prev.On), boolBit(b.Prev.On)), cmp.Compare(a.Prev.Inc, b.Prev.Inc),
		cmp.Compare(boolBit(a.Prev.Data), boolBit(b.Prev.Data)), cmp.Compare(a.Prev.ISS, b.Prev.ISS),
		cmp.Compare(a.Prev.SndNxt, b.Prev.SndNxt), cmp.Compare(a.Prev.RcvNxt, b.Prev.RcvNxt),
		cmp.Compare(a.Prev.IRS, b.Prev.IRS),
	)
}
