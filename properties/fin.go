package properties

import "github.com/timewait/timewait/model"

// NoRSTOnRetransmittedFIN is reason (1) for TIME-WAIT: an endpoint that
// entered TIME-WAIT never answers its peer's FIN of that incarnation with an
// RST, whether from TIME-WAIT, CLOSED, LISTEN or a new incarnation's
// SYN-SENT.
func NoRSTOnRetransmittedFIN() Property {
	return Property{
		ID:        "no-rst-on-retransmitted-fin",
		Kind:      Always,
		Symmetric: true,
		Title:     "a FIN the peer retransmits is never answered with an RST",
		Ref:       "RFC 9293 §3.3.2 (TIME-WAIT), §3.6.1 MUST-13, §3.10.7.4 TIME-WAIT step 8; RFC 1122 §4.2.2.13",
		Doc: "Whenever a FIN copy of incarnation n (not sent by an endpoint without a connection) is delivered " +
			"to a side that entered TIME-WAIT in incarnation n, the step emits no RST. Without it the peer's " +
			"orderly close, whose last ACK was lost or slow, ends in a reset.",
		Witness:   "retransmitted-fin-in-time-wait",
		Mutant:    model.MutTimeWaitIgnoresFIN,
		Hops:      2,
		Threshold: "a FIN retransmitted after the final ACK was lost or delayed arrives just under RTO+MSL (lost ACK) or 2·MSL (slow ACK) after TIME-WAIT began",
		Step: func(from model.State, l model.Label, _ model.State) bool {
			g, dst, ok := delivered(l)
			if !ok || !g.Flags.Has(model.FIN) || g.Orphan || !from.EnteredTimeWait(dst, g.Inc) {
				return true
			}
			return !l.EmittedRST()
		},
	}
}

// RetransmittedFINInTimeWait is the witness for
// [NoRSTOnRetransmittedFIN]: a FIN sent by a retransmission timer is
// delivered to a peer in TIME-WAIT of the same incarnation.
func RetransmittedFINInTimeWait() Property {
	return Property{
		ID:        "retransmitted-fin-in-time-wait",
		Kind:      Sometimes,
		Symmetric: true,
		Title:     "a retransmitted FIN reaches its peer in TIME-WAIT",
		Ref:       "RFC 9293 §3.10.7.4 TIME-WAIT, fifth step",
		Doc:       "Some run delivers a FIN copy sent by a retransmission timer to an endpoint in TIME-WAIT of the same incarnation.",
		Step: func(from model.State, l model.Label, _ model.State) bool {
			g, dst, ok := delivered(l)
			e := from.Ends[dst]
			return ok && g.Flags.Has(model.FIN) && g.Rtx && e.St == model.TimeWait && e.Inc == g.Inc
		},
	}
}
