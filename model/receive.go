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
func (m *Model) resetFor(seg Segment) Segment {
	if seg.Flags.Has(ACK) {
		return Segment{Flags: RST, Seq: seg.Ack}
	}
	return Segment{Flags: RST | ACK, Seq: 0, Ack: m.sp.Add(seg.Seq, seg.SegLen())}
}

// orphanReset is resetFor sent by an endpoint with no connection; it carries
// the incarnation of the segment it answers as its ghost tag.
func (m *Model) orphanReset(seg Segment) Segment {
	g := m.resetFor(seg)
	g.Orphan, g.Inc = true, seg.Inc
	return g
}

// acceptable is the sequence-number test of RFC 9293 §3.10.7.4 "First",
// Table 6, with the configuration's RCV.WND > 0.
func (m *Model) acceptable(seg Segment, rcvNxt Seq) bool {
	return m.sp.Acceptable(seg, rcvNxt, m.wnd)
}

// hasTS reports whether a copy carries a Timestamps option: under
// Config.Timestamps every segment but an RST does (RFC 7323 §5.2 and
// Appendix D: RSTs are sent without one and are not subject to PAWS).
func (m *Model) hasTS(g Segment) bool { return m.tsCap != 0 && !g.Flags.Has(RST) }

// tsCmp compares the copy's TSval with e's TS.Recent (which must be
// valid): -1 older, 0 equal, +1 newer. A TSval is (send sub-tick, sender's
// incarnation): an earlier sub-tick is older, and within one sub-tick a
// later incarnation of the sender is newer (Endpoint.TSInc).
func tsCmp(e Endpoint, g Segment) int {
	switch a, r := int(g.Age)+1, int(e.TSRecent); {
	case a > r:
		return -1
	case a < r:
		return 1
	case g.Inc < e.TSInc:
		return -1
	case g.Inc > e.TSInc:
		return 1
	}
	return 0
}

// pawsReject is RFC 7323 §5.3 R1: the copy carries a TSval older than a
// valid TS.Recent.
func (m *Model) pawsReject(e Endpoint, g Segment) bool {
	return m.hasTS(g) && e.TSRecent != 0 && tsCmp(e, g) < 0
}

// tsNewer reports whether the copy's TSval is newer than e's TS.Recent.
func (m *Model) tsNewer(e Endpoint, g Segment) bool {
	return m.hasTS(g) && e.TSRecent != 0 && tsCmp(e, g) > 0
}

// tsSet makes the copy's TSval e's TS.Recent.
func tsSet(e Endpoint, g Segment) Endpoint {
	e.TSRecent, e.TSInc = g.Age+1, g.Inc
	return e
}

// tsUpdate is RFC 7323 §5.3 R3 for an accepted copy: "If SEG.TSval >=
// TS.Recent and SEG.SEQ =< Last.ACK.sent, then SEG.TSval is copied to
// TS.Recent". The model acknowledges at once, so Last.ACK.sent is RCV.NXT.
func (m *Model) tsUpdate(e Endpoint, g Segment) Endpoint {
	if m.hasTS(g) && m.sp.LEQ(g.Seq, e.RcvNxt) && (e.TSRecent == 0 || tsCmp(e, g) >= 0) {
		e = tsSet(e, g)
	}
	return e
}

// tsCacheDrops is tcp_tw_recycle's listener check (Config.TSCache): a SYN
// whose TSval is older than the per-host cache is dropped.
func (m *Model) tsCacheDrops(e Endpoint, g Segment) bool {
	return m.cfg.TSCache && m.pawsReject(e, g)
}

// receive dispatches an arriving segment to the handler of e's state. iss
// is the ISS chosen when the segment opens a connection (synOpens).
func (m *Model) receive(side Side, e Endpoint, seg Segment, iss Seq) rx {
	if m.cfg.Rules != nil {
		if r, ok, bad := m.ruleSegment(side, e, seg); ok {
			r.err = bad
			return r
		}
	}
	switch e.St {
	case Closed:
		return m.closedOnSegment(e, seg)
	case Listen:
		return m.listenOnSegment(e, seg)
	case SynSent:
		return m.synSentOnSegment(e, seg)
	case TimeWait:
		if m.reopens(side, e, seg) {
			return m.reopen(e, seg, iss)
		}
		if m.cfg.TWRules == TWRulesLinux {
			return m.timeWaitLinux(e, seg)
		}
		return m.timeWaitOnSegment(e, seg)
	}
	return m.syncOnSegment(side, e, seg)
}

// closedOnSegment: RFC 9293 §3.10.7.1. "If the state is CLOSED ... all data
// in the incoming segment is discarded. An incoming segment containing a RST
// is discarded. An incoming segment not containing a RST causes a RST to be
// sent in response."
func (m *Model) closedOnSegment(e Endpoint, seg Segment) rx {
	r := rx{e: e}
	if seg.Flags.Has(RST) {
		return r.noted("discard RST")
	}
	return r.with(m.orphanReset(seg), "no connection: RST")
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
		return r.with(m.orphanReset(seg), "ACK in LISTEN: RST")
	case seg.Flags.Has(SYN) && m.tsCacheDrops(e, seg):
		return r.noted("SYN older than the per-host timestamp cache: drop (tcp_tw_recycle)")
	case seg.Flags.Has(SYN):
		e.St = SynReceived
		e.IRS, e.RcvNxt = seg.Seq, m.sp.Add(seg.Seq, 1)
		e.SndUna, e.SndNxt = e.ISS, m.sp.Add(e.ISS, 1)
		if m.hasTS(seg) {
			e = tsSet(e, seg)
		}
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
		if m.sp.LEQ(seg.Ack, e.ISS) || m.sp.LT(e.SndNxt, seg.Ack) {
			if seg.Flags.Has(RST) {
				return r.noted("drop RST with unacceptable ACK")
			}
			g := m.resetFor(seg)
			g.Inc = e.Inc
			return r.with(g, "unacceptable ACK: RST")
		}
		ackOK = m.sp.LT(e.SndUna, seg.Ack) && m.sp.LEQ(seg.Ack, e.SndNxt)
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
	e.IRS, e.RcvNxt = seg.Seq, m.sp.Add(seg.Seq, 1)
	if m.hasTS(seg) {
		e = tsSet(e, seg)
	}
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

// restartTW restarts the TIME-WAIT timer, keeping the time since TIME-WAIT
// was entered (Timer.Tries under Config.TWReuse).
func (m *Model) restartTW(e Endpoint) Endpoint {
	e.TW = startTimer(m.tw[e.Inc&7], e.TW.Tries)
	return e
}

// reopens reports whether a SYN reaching e in TIME-WAIT reopens the
// connection there (Config.TWSyn): only B, the server, has a listener to
// hand it to, and only while incarnations remain.
func (m *Model) reopens(side Side, e Endpoint, g Segment) bool {
	if m.cfg.TWSyn == SynChallenge || !g.Flags.Has(SYN) || g.Flags&(ACK|RST) != 0 ||
		e.St != TimeWait || side != B || int(e.Inc) >= m.cfg.Incarnations {
		return false
	}
	higher := m.sp.LT(e.RcvNxt, g.Seq)
	switch m.cfg.TWSyn {
	case SynRFC1122:
		// RFC 1122 §4.2.2.13: a SYN above RCV.NXT.
		return higher
	case SynRFC6191:
		// RFC 6191 §2: with timestamps seen, a newer TSval, or an equal
		// one and a higher SEG.SEQ; without, a higher SEG.SEQ.
		if m.hasTS(g) && e.TSRecent != 0 {
			return m.tsNewer(e, g) || tsCmp(e, g) == 0 && higher
		}
		return higher
	case SynLinux:
		// tcp_timewait_state_process: !paws_reject && (after(seq,
		// rcv_nxt) || a newer TSval).
		return !m.pawsReject(e, g) && (higher || m.tsNewer(e, g))
	}
	return false
}

// reopen accepts a SYN in TIME-WAIT as a new connection (RFC 1122
// §4.2.2.13, RFC 6191 §2, Linux TCP_TW_SYN): SYN-RECEIVED in the next
// incarnation with the ISS chosen, answering with a SYN-ACK. Under RFC 1122
// it remembers the TIME-WAIT TCB, to return to it if the SYN was an old
// duplicate.
func (m *Model) reopen(e Endpoint, seg Segment, iss Seq) rx {
	n := Endpoint{St: SynReceived, Inc: e.Inc + 1, ISS: iss, SndUna: iss, SndNxt: m.sp.Add(iss, 1),
		IRS: seg.Seq, RcvNxt: m.sp.Add(seg.Seq, 1)}
	if seg.Inc > n.Inc {
		n.Inc = seg.Inc // as listenOnSegment: take the SYN's incarnation
	}
	if m.hasTS(seg) {
		n = tsSet(n, seg)
	}
	if m.cfg.TWSyn == SynRFC1122 {
		n.Prev = Prev{On: true, Inc: e.Inc, Data: e.Data, ISS: e.ISS, SndNxt: e.SndNxt, RcvNxt: e.RcvNxt, IRS: e.IRS}
	}
	n.Rtx[SlotFirst] = startTimer(m.rto[0], 0)
	return rx{e: n}.with(Segment{Flags: SYN | ACK, Seq: n.ISS, Ack: n.RcvNxt, Inc: n.Inc},
		"SYN reopens the connection from TIME-WAIT ("+m.cfg.TWSyn.String()+"): SYN-RECEIVED, send SYN-ACK")
}

// backToTimeWait returns a connection reopened under RFC 1122 to the
// TIME-WAIT it replaced (RFC 1122 §4.2.2.13 (2): the SYN was an old
// duplicate), with a full TIME-WAIT.
func (m *Model) backToTimeWait(e Endpoint) Endpoint {
	p := e.Prev
	n := Endpoint{St: TimeWait, Inc: p.Inc, ISS: p.ISS, SndUna: p.SndNxt, SndNxt: p.SndNxt, RcvNxt: p.RcvNxt,
		IRS: p.IRS, Data: p.Data, AppClosed: true, TSRecent: e.TSRecent, TSInc: e.TSInc}
	n.TW = startTimer(m.tw[n.Inc&7], 0)
	return n
}

// timeWaitLinux is Linux's tcp_timewait_state_process for the TIME_WAIT
// substate (net/ipv4/tcp_minisocks.c; docs/variants.md quotes it): a bare
// ACK or an RST exactly at RCV.NXT that passes PAWS is handled first (the
// RST kills TIME-WAIT when tcp_rfc1337=0, Config.TWRst close; the ACK
// restarts it); every other segment but an RST is answered with an ACK and
// restarts TIME-WAIT when it carries ACK or failed PAWS; other RSTs are
// ignored. A SYN that would reopen has been handed on before (reopens).
func (m *Model) timeWaitLinux(e Endpoint, seg Segment) rx {
	r := rx{e: e}
	paws := m.pawsReject(e, seg)
	if !paws && seg.Seq == e.RcvNxt && (seg.Flags.Has(RST) || seg.SegLen() == 0) {
		if seg.Flags.Has(RST) {
			if m.cfg.TWRst == RstClose {
				r.e = e.closed()
				return r.noted("RST at RCV.NXT kills TIME-WAIT (tcp_rfc1337=0)")
			}
			return r.noted("ignore RST (tcp_rfc1337=1)")
		}
		r.e = m.tsUpdate(m.restartTW(e), seg)
		return r.noted("bare ACK at RCV.NXT: restart TIME-WAIT")
	}
	if seg.Flags.Has(RST) {
		return r.noted("ignore RST off RCV.NXT")
	}
	if seg.Flags.Has(SYN) && !seg.Flags.Has(ACK) && !paws && (m.sp.LT(e.RcvNxt, seg.Seq) || m.tsNewer(e, seg)) {
		// TCP_TW_SYN with no listener to take it: tcp_v4_rcv falls
		// through to TCP_TW_ACK, before any reschedule.
		return r.with(ackOf(e), "SYN with no listener: ACK")
	}
	note := "ACK"
	if paws || seg.Flags.Has(ACK) {
		r.e = m.restartTW(e)
		note = "ACK, restart TIME-WAIT"
		if paws {
			note = "PAWS: ACK, restart TIME-WAIT"
		}
	}
	return r.with(ackOf(r.e), note)
}

// timeWaitOnSegment: RFC 9293 §3.10.7.4 for TIME-WAIT, with the configured
// restart rule (R-FIN or R-ACK) and RST rule (RFC 1337 F1 or RFC 793).
func (m *Model) timeWaitOnSegment(e Endpoint, seg Segment) rx {
	r := rx{e: e}
	if m.pawsReject(e, seg) {
		// RFC 7323 §5.3 R1: "send an acknowledgment in reply ... and drop
		// the segment" (never an RST: RSTs carry no timestamp).
		return r.with(ackOf(e), "PAWS: ACK, drop")
	}
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
		case !m.acceptable(seg, e.RcvNxt):
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
		r.e = m.restartTW(e)
	}
	note := "ACK"
	if restart {
		note = "ACK, restart TIME-WAIT"
	}
	if m.acceptable(seg, e.RcvNxt) {
		r.e = m.tsUpdate(r.e, seg)
	}
	switch {
	case !m.acceptable(seg, e.RcvNxt):
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
