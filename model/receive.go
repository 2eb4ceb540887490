package model

// rx is the result of one handler: the endpoint after the event, at most one
// reply, and what happened in words.
type rx struct {
	e        Endpoint
	reply    Segment
	hasReply bool
	note     string
	mutant   bool
	err      bool // a rule override returned an unrepresentable value
}

func (r rx) with(g Segment, note string) rx {
	r.reply, r.hasReply, r.note = g, true, note
	return r
}

func (r rx) noted(note string) rx {
	r.note = note
	return r
}

// ackOf is <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
func ackOf(e Endpoint) Segment {
	return Segment{Flags: ACK, Seq: e.SndNxt, Ack: e.RcvNxt, Inc: e.Inc}
}

// resetFor is the RST that answers seg from an endpoint with no connection,
// or from a non-synchronized state (RFC 9293 §3.10.7.1, §3.5.2): with ACK,
// <SEQ=SEG.ACK><CTL=RST>; without, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
func resetFor(seg Segment) Segment {
	if seg.Flags.Has(ACK) {
		return Segment{Flags: RST, Seq: seg.Ack}
	}
	return Segment{Flags: RST | ACK, Seq: 0, Ack: seg.Seq.Add(seg.SegLen())}
}

// orphanReset is resetFor sent by an endpoint with no connection; it carries
// the incarnation of the segment it answers as its ghost tag.
func orphanReset(seg Segment) Segment {
	g := resetFor(seg)
	g.Orphan, g.Inc = true, seg.Inc
	return g
}

// acceptable is the sequence-number test of RFC 9293 §3.10.7.4 "First",
// Table 6, with RCV.WND = RcvWnd > 0.
func acceptable(seg Segment, rcvNxt Seq) bool {
	n := seg.SegLen()
	if n == 0 {
		return seg.Seq.InWindow(rcvNxt, RcvWnd)
	}
	return seg.Seq.InWindow(rcvNxt, RcvWnd) || seg.Seq.Add(n-1).InWindow(rcvNxt, RcvWnd)
}

// receive dispatches an arriving segment to the handler of e's state.
func (m *Model) receive(side Side, e Endpoint, seg Segment) rx {
	if m.cfg.Rules != nil {
		if r, ok, bad := m.ruleSegment(side, e, seg); ok {
			r.err = bad
			return r
		}
	}
	switch e.St {
	case Closed:
		return closedOnSegment(e, seg)
	case Listen:
		return m.listenOnSegment(e, seg)
	case SynSent:
		return m.synSentOnSegment(e, seg)
	case TimeWait:
		return m.timeWaitOnSegment(e, seg)
	}
	return m.syncOnSegment(side, e, seg)
}

// closedOnSegment: RFC 9293 §3.10.7.1. "If the state is CLOSED ... all data
// in the incoming segment is discarded. An incoming segment containing a RST
// is discarded. An incoming segment not containing a RST causes a RST to be
// sent in response."
func closedOnSegment(e Endpoint, seg Segment) rx {
	r := rx{e: e}
	if seg.Flags.Has(RST) {
		return r.noted("discard RST")
	}
	return r.with(orphanReset(seg), "no connection: RST")
}

// listenOnSegment: RFC 9293 §3.10.7.2. RST is ignored; any ACK gets
// <SEQ=SEG.ACK><CTL=RST>; a SYN moves to SYN-RECEIVED and is answered with
// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>; anything else is dropped.
func (m *Model) listenOnSegment(e Endpoint, seg Segment) rx {
	r := rx{e: e}
	switch {
	case seg.Flags.Has(RST):
		return r.noted("ignore RST")
	case seg.Flags.Has(ACK):
		return r.with(orphanReset(seg), "ACK in LISTEN: RST")
	case seg.Flags.Has(SYN):
		e.St = SynReceived
		e.IRS, e.RcvNxt = seg.Seq, seg.Seq.Add(1)
		e.SndUna, e.SndNxt = e.ISS, e.ISS.Add(1)
		if seg.Inc > e.Inc {
			// The one place a rule reads a ghost: LISTEN takes the
			// incarnation of the SYN it accepts, so that both ends of a
			// connection carry the same tag when A has skipped an
			// incarnation B never saw. It changes no behaviour: A has used
			// that incarnation, so B's budget of listens is not cut short.
			e.Inc = seg.Inc
		}
		e.Rtx[SlotFirst] = startTimer(m.rto[0], 0)
		r.e = e
		return r.with(Segment{Flags: SYN | ACK, Seq: e.ISS, Ack: e.RcvNxt, Inc: e.Inc}, "enter SYN-RECEIVED, send SYN-ACK")
	}
	return r.noted("drop")
}

// synSentOnSegment: RFC 9293 §3.10.7.3.
func (m *Model) synSentOnSegment(e Endpoint, seg Segment) rx {
	r := rx{e: e}
	ackOK := false
	if seg.Flags.Has(ACK) {
		// "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the
		// RST bit is set, if so drop the segment and return)."
		if seg.Ack.LEQ(e.ISS) || e.SndNxt.LT(seg.Ack) {
			if seg.Flags.Has(RST) {
				return r.noted("drop RST with unacceptable ACK")
			}
			g := resetFor(seg)
			g.Inc = e.Inc
			return r.with(g, "unacceptable ACK: RST")
		}
		ackOK = e.SndUna.LT(seg.Ack) && seg.Ack.LEQ(e.SndNxt)
	}
	if seg.Flags.Has(RST) {
		if ackOK {
			r.e = e.closed()
			return r.noted("connection reset: CLOSED")
		}
		return r.noted("drop RST without acceptable ACK")
	}
	if !seg.Flags.Has(SYN) {
		return r.noted("drop: neither SYN nor RST")
	}
	e.IRS, e.RcvNxt = seg.Seq, seg.Seq.Add(1)
	if ackOK {
		e.SndUna = seg.Ack
		e.St = Established
		e.Rtx = [2]Timer{}
		r.e = e
		return r.with(ackOf(e), "enter ESTABLISHED, ACK")
	}
	e.St = SynReceived
	r.e = e
	return r.with(Segment{Flags: SYN | ACK, Seq: e.ISS, Ack: e.RcvNxt, Inc: e.Inc}, "simultaneous open: SYN-RECEIVED, SYN-ACK")
}

// enterTimeWait starts the TIME-WAIT timer and stops the others (RFC 9293
// §3.10.7.4 eighth step: "Enter the TIME-WAIT state. Start the time-wait
// timer, turn off the other timers.").
func (m *Model) enterTimeWait(e Endpoint) Endpoint {
	e.St = TimeWait
	e.Rtx = [2]Timer{}
	e.TW = startTimer(m.tw[e.Inc&7], 0)
	return e
}

// timeWaitOnSegment: RFC 9293 §3.10.7.4 for TIME-WAIT, with the configured
// restart rule (R-FIN or R-ACK) and RST rule (RFC 1337 F1 or RFC 793).
func (m *Model) timeWaitOnSegment(e Endpoint, seg Segment) rx {
	r := rx{e: e}
	if m.cfg.Mutant == MutTimeWaitIgnoresFIN && seg.Flags.Has(FIN) {
		r.mutant = true
		return r.noted("drop FIN silently")
	}
	if seg.Flags.Has(RST) {
		if m.cfg.Mutant == MutTimeWaitAcksRST {
			r.mutant = true
			return r.with(ackOf(e), "answer RST with ACK")
		}
		if m.cfg.TWRst == RstIgnore {
			return r.noted("ignore RST (RFC 1337)")
		}
		switch {
		case !acceptable(seg, e.RcvNxt):
			return r.noted("drop out-of-window RST")
		case seg.Seq != e.RcvNxt:
			return r.with(ackOf(e), "inexact RST: challenge ACK")
		}
		r.e = e.closed()
		return r.noted("RST closes TIME-WAIT (RFC 793)")
	}
	restart := (m.cfg.TWRestart == RestartOnFIN && seg.Flags.Has(FIN)) ||
		(m.cfg.TWRestart == RestartOnACK && seg.Flags.Has(ACK))
	if restart {
		r.e.TW = startTimer(m.tw[e.Inc&7], 0)
	}
	note := "ACK"
	if restart {
		note = "ACK, restart TIME-WAIT"
	}
	switch {
	case !acceptable(seg, e.RcvNxt):
		return r.with(ackOf(e), note)
	case seg.Flags.Has(SYN):
		return r.with(ackOf(e), "SYN: challenge ACK")
	case seg.Flags.Has(FIN):
		return r.with(ackOf(e), note)
	}
	if restart {
		return r.noted("restart TIME-WAIT")
	}
	return r.noted("ignore")
}
