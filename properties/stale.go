package properties

import "github.com/timewait/timewait/model"

// staleDelivery reports whether the transition delivered a copy tagged with an
// older incarnation than its receiver's, whether the copy was sent without a
// connection, and whether the receiver's connection changed.
func staleDelivery(from model.State, l model.Label, to model.State) (stale, orphan, changed bool) {
	g, dst, ok := delivered(l)
	if !ok {
		return false, false, false
	}
	e := from.Ends[dst]
	if e.St == model.Closed || g.Inc >= e.Inc {
		return false, g.Orphan, false
	}
	return true, g.Orphan, !e.SameConnection(to.Ends[dst])
}

// NoStaleSegmentAccepted is reason (2) for TIME-WAIT: no segment of
// incarnation n changes an endpoint of incarnation m > n.
func NoStaleSegmentAccepted() Property {
	return Property{
		ID:        "no-stale-segment-accepted",
		Kind:      Always,
		Symmetric: true,
		Title:     "no segment of an old incarnation is accepted by a newer one",
		Ref:       "RFC 9293 §3.3.2, §3.4.1; RFC 793 §3.3; RFC 1337 hazard H1",
		Doc: "No copy sent by a TCB of incarnation n is delivered to an endpoint of incarnation m > n (LISTEN " +
			"counts as the incarnation it waits for) and changes its connection state or sequence variables " +
			"(SND.UNA, SND.NXT, RCV.NXT, ISS), delivers data to it, or is accepted as an ACK, SYN-RECEIVED's " +
			"handshake ACK included. The ISN of a new incarnation is chosen by the adversary (worst-case overlap). " +
			"RSTs sent by an endpoint with no connection are outside this property (see no-stale-reset).",
		Witness:   "stale-segment-rejected",
		Mutant:    model.MutConnectInTimeWait,
		Hops:      2,
		Threshold: "a FIN retransmitted just before the slow final ACK arrived lives almost MSL more: just under 2·MSL after TIME-WAIT began",
		Step: func(from model.State, l model.Label, to model.State) bool {
			stale, orphan, changed := staleDelivery(from, l, to)
			return !(stale && !orphan && changed)
		},
	}
}

// StaleSegmentRejected is the witness for [NoStaleSegmentAccepted]: an old
// incarnation's copy reaches a newer endpoint and changes nothing.
func StaleSegmentRejected() Property {
	return Property{
		ID:        "stale-segment-rejected",
		Kind:      Sometimes,
		Symmetric: true,
		Title:     "an old incarnation's segment reaches a newer endpoint and is rejected",
		Ref:       "RFC 9293 §3.10.7",
		Doc:       "Some run delivers a copy of incarnation n, sent by a TCB, to an endpoint of incarnation m > n without changing its connection.",
		Step: func(from model.State, l model.Label, to model.State) bool {
			stale, orphan, changed := staleDelivery(from, l, to)
			return stale && !orphan && !changed
		},
	}
}

// NoStaleReset covers the RSTs that no-stale-segment-accepted leaves out: an
// RST sent by an endpoint with no connection (CLOSED or LISTEN), in answer to
// a segment of incarnation n, never changes an endpoint of incarnation m > n.
func NoStaleReset() Property {
	return Property{
		ID:        "no-stale-reset",
		Kind:      Always,
		Symmetric: true,
		Title:     "an RST provoked by an old incarnation never resets a newer one",
		Ref:       "RFC 9293 §3.5.2, §3.10.7.1; RFC 5961 §3; RFC 1337",
		Doc: "An RST sent by an endpoint with no connection belongs to no incarnation; it is tagged with the " +
			"incarnation of the segment it answers. No such RST tagged n changes the connection of an endpoint " +
			"of incarnation m > n.",
		Witness:   "orphan-reset-delivered",
		Mutant:    model.MutTimeWaitAcksRST,
		Hops:      3,
		Threshold: "an RST answering an old duplicate of the final ACK (or a late FIN) still in flight when the new incarnation synchronizes",
		Step: func(from model.State, l model.Label, to model.State) bool {
			stale, orphan, changed := staleDelivery(from, l, to)
			return !(stale && orphan && changed)
		},
	}
}

// OrphanResetDelivered is the witness for [NoStaleReset]: an RST sent by an
// endpoint with no connection reaches an endpoint that has one and changes
// nothing.
func OrphanResetDelivered() Property {
	return Property{
		ID:        "orphan-reset-delivered",
		Kind:      Sometimes,
		Symmetric: true,
		Title:     "an RST from an endpoint with no connection reaches a connection and is rejected",
		Ref:       "RFC 9293 §3.10.7.4 second step; RFC 1337 F1",
		Doc:       "Some run delivers an RST sent from CLOSED or LISTEN to an endpoint that holds a connection, without changing it.",
		Step: func(from model.State, l model.Label, to model.State) bool {
			g, dst, ok := delivered(l)
			e := from.Ends[dst]
			return ok && g.Orphan && g.Flags.Has(model.RST) && e.St.HasTCB() && e.SameConnection(to.Ends[dst])
		},
	}
}
