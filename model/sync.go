package model

// syncOnSegment handles SYN-RECEIVED and the synchronized states other than
// TIME-WAIT, in the order of RFC 9293 §3.10.7.4: sequence check, RST, SYN,
// ACK, text, FIN.
func (m *Model) syncOnSegment(side Side, e Endpoint, seg Segment) rx {
	r := rx{e: e}
	// RFC 7323 §5.3 R1 (PAWS), before the sequence check: an older TSval
	// is answered with an ACK and dropped.
	if m.pawsReject(e, seg) {
		return r.with(ackOf(e), "PAWS: ACK, drop")
	}
	// First: "If a segment's contents occupy any portion outside the window
	// ... send an acknowledgment in reply ... <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
	// ... If the RST bit is set, drop the segment and return."
	if !m.acceptable(seg, e.RcvNxt) {
		if seg.Flags.Has(RST) {
			return r.noted("drop out-of-window RST")
		}
		return r.with(ackOf(e), "unacceptable: ACK, drop")
	}
	// RFC 7323 §5.3 R3: an acceptable segment updates TS.Recent.
	e = m.tsUpdate(e, seg)
	r.e = e
	// Second (RFC 5961 §3.2): exact RST resets, in-window RST is challenged.
	if seg.Flags.Has(RST) {
		if seg.Seq != e.RcvNxt {
			return r.with(ackOf(e), "inexact RST: challenge ACK")
		}
		if e.St == SynReceived && e.Prev.On {
			r.e = m.backToTimeWait(e)
			return r.noted("reset: the SYN was an old duplicate, back to TIME-WAIT (RFC 1122)")
		}
		if e.St == SynReceived && side == B {
			r.e = backToListen(e)
			return r.noted("reset: back to LISTEN")
		}
		r.e = e.closed()
		return r.noted("connection reset: CLOSED")
	}
	// Fourth: SYN in a synchronized state gets a challenge ACK (RFC 5961 §4);
	// SYN-RECEIVED from a passive OPEN returns to LISTEN.
	if seg.Flags.Has(SYN) {
		if e.St == SynReceived && side == B {
			r.e = backToListen(e)
			return r.noted("SYN in window: back to LISTEN")
		}
		return r.with(ackOf(e), "SYN: challenge ACK")
	}
	// Fifth: "if the ACK bit is off, drop the segment and return".
	if !seg.Flags.Has(ACK) {
		return r.noted("no ACK: drop")
	}
	if e.St == SynReceived {
		if !(m.sp.LT(e.SndUna, seg.Ack) && m.sp.LEQ(seg.Ack, e.SndNxt)) {
			g := m.resetFor(seg)
			g.Inc = e.Inc
			return r.with(g, "unacceptable handshake ACK: RST")
		}
		e.St = Established
		e.SndUna = seg.Ack
		e.Rtx = [2]Timer{}
		e.Prev = Prev{}
		r = r.noted("enter ESTABLISHED")
	} else {
		if m.processAck(&e, seg, &r) {
			return r
		}
	}
	r.e = e
	m.textAndFIN(seg, &r)
	return r
}

// processAck is the ACK step of RFC 9293 §3.10.7.4 for ESTABLISHED,
// FIN-WAIT-1/2, CLOSE-WAIT, CLOSING and LAST-ACK ("ESTAB processing" plus
// each state's addition), on e in place. It reports whether the segment is
// finished with; r is then the result.
func (m *Model) processAck(e *Endpoint, seg Segment, r *rx) bool {
	switch {
	case m.sp.LT(e.SndUna, seg.Ack) && m.sp.LEQ(seg.Ack, e.SndNxt):
		e.SndUna = seg.Ack
		*e = m.ackTimers(*e)
	case m.sp.LT(e.SndNxt, seg.Ack):
		// "If the ACK acks something not yet sent ... send an ACK, drop the
		// segment, and return."
		r.e = *e
		*r = r.with(ackOf(*e), "ACK of unsent data: ACK, drop")
		return true
	}
	switch e.St {
	case FinWait1:
		if m.finAcked(*e) {
			e.St = FinWait2
			note := "FIN acknowledged: FIN-WAIT-2"
			if m.finDur > 0 {
				*e = m.startFinWait2Timer(*e)
				note += ", start the FIN-WAIT-2 timer"
			}
			r.note = note
		}
	case Closing:
		if !m.finAcked(*e) {
			r.e, r.note = *e, "ignore"
			return true
		}
		*e = m.enterTimeWait(*e)
		r.e, r.note = *e, "FIN acknowledged: TIME-WAIT"
		return true
	case LastAck:
		if m.finAcked(*e) {
			r.e, r.note = e.closed(), "FIN acknowledged: CLOSED"
			return true
		}
	}
	return false
}

// startFinWait2Timer starts the FIN-WAIT-2 timer (Config.FinTimeout) of an
// endpoint that has just entered FIN-WAIT-2. Its application has closed, so
// the connection is orphaned, and Linux gives it tcp_fin_timeout: in
// tcp_rcv_state_process, FIN_WAIT1 → FIN_WAIT2 of an orphan calls
// tcp_time_wait(sk, TCP_FIN_WAIT2, tcp_fin_time(sk)), which holds it as a
// timewait socket whose tw_timer fires after that timeout. The model keeps
// it in the TIME-WAIT timer's slot for the same reason: an endpoint is never
// in FIN-WAIT-2 and TIME-WAIT at once, and the FIN that moves FIN-WAIT-2 to
// TIME-WAIT restarts the slot with the TIME-WAIT length (enterTimeWait), as
// Linux reschedules tw_timer. RFC 9293 has no such timer (FinTimeout 0).
func (m *Model) startFinWait2Timer(e Endpoint) Endpoint {
	e.TW = startTimer(m.finDur, 0)
	return e
}

// textAndFIN is the seventh (segment text) and eighth (FIN) steps. Only an
// in-order octet is taken; an acceptable segment beyond RCV.NXT is
// acknowledged and dropped (the model keeps no reassembly queue). It works
// on r in place.
func (m *Model) textAndFIN(seg Segment, r *rx) {
	e := r.e
	needAck := false
	if seg.Len > 0 {
		switch e.St {
		case Established, FinWait1, FinWait2:
			if seg.Seq == e.RcvNxt {
				e.RcvNxt = m.sp.Add(e.RcvNxt, int(seg.Len))
				r.note = "deliver data"
			}
			needAck = true
		}
	}
	if seg.Flags.Has(FIN) {
		if m.sp.Add(seg.Seq, int(seg.Len)) == e.RcvNxt {
			e.RcvNxt = m.sp.Add(e.RcvNxt, 1)
			switch e.St {
			case SynReceived, Established:
				e.St = CloseWait
				r.note = "FIN: CLOSE-WAIT"
			case FinWait1:
				if m.finAcked(e) {
					e = m.enterTimeWait(e)
					r.note = "FIN: TIME-WAIT"
				} else {
					e.St = Closing
					r.note = "FIN: CLOSING"
				}
			case FinWait2:
				e = m.enterTimeWait(e)
				r.note = "FIN: TIME-WAIT"
			}
		}
		needAck = true
	}
	r.e = e
	if needAck {
		if r.note == "" {
			r.note = "ACK"
		}
		*r = r.with(ackOf(e), r.note)
	}
}

// backToListen returns a passive SYN-RECEIVED endpoint to LISTEN (RFC 9293
// §3.10.7.4 second and fourth steps), keeping its incarnation; the next SYN
// chooses a new ISS.
func backToListen(e Endpoint) Endpoint {
	return Endpoint{St: Listen, Inc: e.Inc, TSRecent: e.TSRecent, TSInc: e.TSInc}
}
