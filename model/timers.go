package model

// timeout fires an expired timer (RFC 9293 §3.10.8): TIME-WAIT deletes the
// TCB; a retransmission timer resends its segment with backoff, or gives up
// after Config.Retries retransmissions (§3.8.3, R2). The TIME-WAIT slot in
// FIN-WAIT-2 is the FIN-WAIT-2 timer (Config.FinTimeout): the orphaned
// connection is deleted silently, as Linux's tcp_fin_timeout does.
func (m *Model) timeout(s State, a Action, l Label) (State, Label, bool) {
	e := s.Ends[a.Side]
	var t Timer
	switch a.Timer {
	case TimerTW:
		t = e.TW
	case TimerRtx0, TimerRtx1:
		t = e.Rtx[a.Timer]
	default:
		return s, l, false
	}
	if !t.Expired() {
		return s, l, false
	}
	if m.cfg.SameInstant == DeliveriesFirst {
		if m.urgentCopy(&s) {
			return s, l, false // deliveries due now come first
		}
		s.Phase = 1
	}
	if a.Timer == TimerTW && e.St == FinWait2 {
		// Linux ip-sysctl, tcp_fin_timeout: "The length of time an orphaned
		// (no longer referenced by any application) connection will remain
		// in the FIN_WAIT_2 state before it is aborted at the local end."
		// The timewait socket that held it is killed; nothing is sent.
		l.Handler = Handler{State: e.St, Event: EvFinTimeout}
		l.Note = "orphaned FIN-WAIT-2 times out (tcp_fin_timeout): CLOSED"
		m.setEnd(&s, a.Side, e.closed())
		return s, l, true
	}
	if a.Timer == TimerTW {
		l.Handler = Handler{State: e.St, Event: EvTWTimeout}
		l.Note = "TIME-WAIT expires: CLOSED"
		m.setEnd(&s, a.Side, e.closed())
		return s, l, true
	}
	l.Handler = Handler{State: e.St, Event: EvRtxTimeout}
	if int(t.Tries) >= m.cfg.Retries {
		l.Note = "give up: CLOSED"
		n := e.closed()
		if e.St == SynReceived && a.Side == B {
			n, l.Note = backToListen(e), "give up: back to LISTEN"
		}
		m.setEnd(&s, a.Side, n)
		return s, l, true
	}
	g := m.rtxSegment(e, int(a.Timer))
	e.Rtx[a.Timer] = startTimer(m.rto[int(t.Tries)+1], t.Tries+1)
	l.Note = "retransmit"
	m.setEnd(&s, a.Side, e)
	m.send(&s, a.Side, g, &l)
	return s, l, true
}

// clockRuns reports whether side may still choose an ISS, so that its ISN
// clock matters (freezeClocks zeroes it otherwise). A clock that reads 0
// while it matters runs too: 0 is a reading like any other.
func (m *Model) clockRuns(s State, side Side) bool {
	e := s.Ends[side]
	if side == B && e.St == Listen {
		return true
	}
	return int(e.Inc) < m.cfg.Incarnations
}

// rtxSegment is the segment a retransmission timer resends: under the
// per-segment rule the one it times; under RFC 6298 the earliest
// unacknowledged one (§5.4).
func (m *Model) rtxSegment(e Endpoint, slot int) Segment {
	first := slot == SlotFirst
	if m.cfg.Rtx == RFC6298 {
		first = e.synUnacked() || m.dataUnacked(e)
	}
	g := Segment{Flags: ACK, Seq: m.finSeq(e), Ack: e.RcvNxt, Inc: e.Inc, Rtx: true}
	switch {
	case !first:
		g.Flags |= FIN
	case e.St == SynSent:
		g = Segment{Flags: SYN, Seq: e.ISS, Inc: e.Inc, Rtx: true}
	case e.St == SynReceived:
		g.Flags, g.Seq = SYN|ACK, e.ISS
	default:
		g.Seq, g.Len = m.sp.Add(e.ISS, 1), uint8(m.dlen)
	}
	return g
}

// synUnacked reports whether the endpoint's SYN is outstanding.
func (e Endpoint) synUnacked() bool {
	return (e.St == SynSent || e.St == SynReceived) && e.SndUna == e.ISS
}

// ackTimers updates retransmission timers after SND.UNA advanced: per
// segment, a timer stops when its segment is acknowledged; under RFC 6298
// §5.2–§5.3 the single timer stops when nothing is outstanding and restarts
// otherwise.
func (m *Model) ackTimers(e Endpoint) Endpoint {
	if m.cfg.Rtx == RFC6298 {
		if e.SndUna == e.SndNxt {
			e.Rtx[SlotFirst] = Timer{}
		} else {
			e.Rtx[SlotFirst] = startTimer(m.rto[0], 0)
		}
		return e
	}
	if e.Rtx[SlotFirst].On && !e.synUnacked() && !m.dataUnacked(e) {
		e.Rtx[SlotFirst] = Timer{}
	}
	if e.Rtx[SlotFIN].On && m.finAcked(e) {
		e.Rtx[SlotFIN] = Timer{}
	}
	return e
}

// tickAt advances *s by one sub-tick, in place, and reports whether the
// tick was enabled; *s is unchanged when it was not. The tick is disabled
// while a timer is due or a copy has reached its age limit: time cannot
// pass a pending event. The TIME-WAIT slot counts down in FIN-WAIT-2 too
// (the FIN-WAIT-2 timer).
func (m *Model) tickAt(s *State) bool {
	if m.urgentCopy(s) {
		return false
	}
	for side := range s.Ends {
		e := &s.Ends[side]
		for i := range e.Rtx {
			if e.Rtx[i].Expired() {
				return false
			}
		}
		if e.TW.Expired() {
			return false
		}
	}
	for side := range s.Ends {
		e := &s.Ends[side]
		for i := range e.Rtx {
			if e.Rtx[i].On {
				e.Rtx[i].Due--
			}
		}
		if e.TW.On {
			e.TW.Due--
		}
		if m.faithful {
			if e.TSRecent != 0 && e.TSRecent < m.tsCap {
				e.TSRecent++
				if e.TSRecent == m.tsCap {
					e.TSInc = 0 // older than every copy: the tie-break no longer matters
				}
			}
			if m.reuse > 0 && e.St == TimeWait && e.TW.Tries < m.reuse {
				e.TW.Tries++
			}
		}
	}
	if m.cfg.ISNClock > 0 {
		k := uint16(int(m.sp) * m.cfg.Grid)
		for side := range s.Clock {
			if s.Clock[side] != 0 || m.clockRuns(*s, Side(side)) {
				s.Clock[side] = (s.Clock[side] + uint16(m.cfg.ISNClock)) % k
			}
		}
	}
	s.Net = s.Net.aged()
	s.Phase = 0
	return true
}
