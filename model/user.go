package model

// userClose is CLOSE (RFC 9293 §3.10.4): ESTABLISHED sends FIN and enters
// FIN-WAIT-1; CLOSE-WAIT sends FIN and enters LAST-ACK. Only the first
// incarnation closes; when is set by Config.CloseOrder. Under CloseAbort,
// A's close is an abort instead (userAbort).
func (m *Model) userClose(s State, side Side, l Label) (State, Label, bool) {
	if !m.closeEnabled(&s, side) {
		return s, l, false
	}
	e := s.Ends[side]
	l.Handler = Handler{State: e.St, Event: EvClose}
	if side == A && m.cfg.CloseMode == CloseAbort {
		return m.userAbort(s, side, e, l)
	}
	e.AppClosed = true
	if e.St == Established {
		e.St = FinWait1
		l.Note = "send FIN: FIN-WAIT-1"
	} else {
		e.St = LastAck
		l.Note = "send FIN: LAST-ACK"
	}
	fin := Segment{Flags: FIN | ACK, Seq: m.finSeq(e), Ack: e.RcvNxt, Inc: e.Inc}
	e.SndNxt = m.sp.Add(m.finSeq(e), 1)
	switch {
	case m.cfg.Rtx == PerSegment:
		e.Rtx[SlotFIN] = startTimer(m.rto[0], 0)
	case !e.Rtx[SlotFirst].On:
		e.Rtx[SlotFirst] = startTimer(m.rto[0], 0)
	}
	m.setEnd(&s, side, e)
	m.send(&s, side, fin, &l)
	return s, l, true
}

// userAbort is close() with SO_LINGER {l_onoff=1, l_linger=0}, which Linux
// turns into an abort (__tcp_close: "Check zero linger _after_ checking for
// unread data", then tcp_disconnect; docs/model.md). It is RFC 9293 §3.10.5,
// ABORT Call, ESTABLISHED and CLOSE-WAIT: "Send a reset segment:
// <SEQ=SND.NXT><CTL=RST> ... all segments queued for transmission (except for
// the RST formed above) or retransmission should be flushed. Delete the TCB,
// enter CLOSED state, and return." No FIN is sent and there is no TIME-WAIT;
// A may connect again at once. (Linux's RST also carries ACK=RCV.NXT; every
// receiver in the model checks RST before ACK, so the ACK field would change
// nothing.)
func (m *Model) userAbort(s State, side Side, e Endpoint, l Label) (State, Label, bool) {
	rst := Segment{Flags: RST, Seq: e.SndNxt, Inc: e.Inc}
	l.Note = "abort (SO_LINGER 0): send RST, CLOSED"
	m.setEnd(&s, side, e.closed())
	m.send(&s, side, rst, &l)
	return s, l, true
}

// closeEnabled says whether side's application may call CLOSE now.
func (m *Model) closeEnabled(s *State, side Side) bool {
	e := &s.Ends[side]
	if e.Inc != 1 || e.AppClosed || (e.St != Established && e.St != CloseWait) {
		return false
	}
	if !m.cfg.DataUnacked {
		// B's data octet is acknowledged before either application closes:
		// A has received (and acknowledged) it, B has received that ACK
		// (under Config.NoData there is nothing to wait for).
		if side == A && m.sp.Sub(e.RcvNxt, e.IRS) < 1+m.dlen {
			return false
		}
		if side == B && e.Data && !m.dataAcked(*e) {
			return false
		}
	}
	switch m.cfg.CloseOrder {
	case AThenB:
		return (side == A && e.St == Established) || (side == B && e.St == CloseWait)
	case BThenA:
		return (side == B && e.St == Established) || (side == A && e.St == CloseWait)
	case AFirst:
		if side == A {
			return e.St == Established
		}
		a := &s.Ends[A]
		return a.AppClosed || a.Inc > 1 || !a.St.HasTCB()
	}
	return true
}

// userConnect is A's active OPEN (RFC 9293 §3.10.1) on the same 4-tuple: a
// new incarnation in SYN-SENT with the chosen ISS sends <SEQ=ISS><CTL=SYN>.
// A may connect once it has no TCB and incarnations remain, or under
// Config.TWReuse from a TIME-WAIT held long enough with timestamps seen
// (Linux tcp_twsk_unique), or under the connect-in-time-wait mutant from
// any TIME-WAIT. The new TCB starts with TS.Recent from the TIME-WAIT it
// takes over (tcp_tw_reuse) or from the per-host cache (Config.TSCache).
func (m *Model) userConnect(s State, a Action, l Label) (State, Label, bool) {
	e := s.Ends[A]
	if a.Side != A || int(a.ISS) >= int(m.sp) || int(e.Inc) >= m.cfg.Incarnations {
		return s, l, false
	}
	note := "new incarnation: SYN-SENT"
	switch {
	case e.St == Closed:
	case e.St == TimeWait && m.reuse > 0 && e.TSRecent != 0 && e.TW.Tries >= m.reuse:
		note = "take over TIME-WAIT (tcp_tw_reuse): new incarnation, SYN-SENT"
	case e.St == TimeWait && m.cfg.Mutant == MutConnectInTimeWait:
		l.Mutant = true
	default:
		return s, l, false
	}
	if ok, bad := m.issAllowed(s, A, a.ISS); !ok {
		return s, l, false
	} else if bad {
		s.Err = ErrRule
		return s, l, true
	}
	l.Handler = Handler{State: e.St, Event: EvConnect}
	n := Endpoint{St: SynSent, Inc: e.Inc + 1, ISS: a.ISS, SndUna: a.ISS, SndNxt: m.sp.Add(a.ISS, 1)}
	if m.cfg.TSCache || e.St == TimeWait && m.reuse > 0 {
		n.TSRecent, n.TSInc = e.TSRecent, e.TSInc
	}
	n.Rtx[SlotFirst] = startTimer(m.rto[0], 0)
	l.Note = note
	m.setEnd(&s, A, n)
	m.send(&s, A, Segment{Flags: SYN, Seq: a.ISS, Inc: n.Inc}, &l)
	return s, l, true
}
