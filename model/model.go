package model

// Model is the transition system for one [Config]. It is immutable and safe
// for concurrent use.
type Model struct {
	cfg      Config
	tw       [8]int // TIME-WAIT length in sub-ticks, by incarnation (Config.TW or Rules.TimeWait)
	rto      []int  // retransmission interval in sub-ticks, by retransmissions made (Config or Rules.RTO)
	finDur   int    // FIN-WAIT-2 timeout in sub-ticks (0: no FIN-WAIT-2 timer)
	ageLimit int    // largest age at which a copy may be delivered
	sp       Space  // the sequence space
	wnd      int    // RCV.WND
	dlen     int    // octets in B's data segment (0 under Config.NoData)
	tsCap    uint8  // saturation value of Endpoint.TSRecent (0: no timestamps)
	reuse    uint8  // tcp_tw_reuse delay in sub-ticks (0: off)
	faithful bool   // some part of the sequence-faithful mode is on
	late     bool   // drops and duplications at every age (Config.LateFaults, or a Rules.ISS that may read the network)
}

// New validates cfg and returns its model. RTO and Grid are resolved (see
// [Config.Resolved]).
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.Resolved()
	tw, rto, err := cfg.timerTable()
	if err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, tw: tw, rto: rto, finDur: cfg.FinTimeout * cfg.Grid, ageLimit: cfg.ageLimit(),
		sp: Space(cfg.EffectiveSeqSpace()), wnd: cfg.EffectiveWindow(), dlen: cfg.EffectiveDataLen(),
		reuse: uint8(cfg.TWReuse * cfg.Grid), faithful: cfg.Faithful(),
		late: cfg.LateFaults || cfg.Rules != nil && cfg.Rules.ISS != nil}
	if cfg.NoData {
		m.dlen = 0
	}
	if cfg.Timestamps {
		m.tsCap = uint8(m.ageLimit + 2)
	}
	return m, nil
}

// Space returns the configuration's sequence space.
func (m *Model) Space() Space { return m.sp }

// Window returns the configuration's receive window, RCV.WND.
func (m *Model) Window() int { return m.wnd }

// Config returns the resolved configuration.
func (m *Model) Config() Config { return m.cfg }

// Init returns the single initial state: both endpoints ESTABLISHED in
// incarnation 1 (ISS 0 on both sides), and B's data segment (one octet,
// or Config.DataLen) just sent, its retransmission timer running; under
// Config.NoData nothing is in flight and no timer runs. Under
// Config.Timestamps both hold a TS.Recent older than any copy (from the
// handshake); under Config.ISNClock both clocks read Config.ISNStart.
func (m *Model) Init() []State {
	a := Endpoint{St: Established, Inc: 1, SndUna: 1, SndNxt: 1, RcvNxt: 1, TSRecent: m.tsCap}
	b := Endpoint{St: Established, Inc: 1, SndUna: 1, SndNxt: m.sp.Add(1, m.dlen), RcvNxt: 1, Data: !m.cfg.NoData, TSRecent: m.tsCap}
	s := State{Ends: [2]Endpoint{a, b}, LossLeft: uint8(m.cfg.Loss), DupLeft: uint8(m.cfg.Dup)}
	if b.Data {
		s.Ends[B].Rtx[SlotFirst] = startTimer(m.rto[0], 0)
		s.Net, _ = s.Net.add(Segment{Src: B, Flags: ACK, Len: uint8(m.dlen), Seq: 1, Ack: 1, Inc: 1})
	}
	if m.cfg.ISNClock > 0 {
		for side := A; side <= B; side++ {
			s.Clock[side] = uint16(m.cfg.ISNStart * m.cfg.Grid)
		}
		s = m.freezeClocks(s)
	}
	if m.tsCap != 0 {
		s = m.canonTS(s)
	}
	return []State{s}
}

// Successors emits every enabled transition of s, in the fixed order of
// [Model.Actions]. Its shape matches checker.Model[State, Label]. It is the
// explorer's inner loop, so it skips disabled candidates cheaply and hands
// copies to their handlers by position; the result is exactly what Step
// gives for each enabled action (TestSuccessorsMatchStep).
func (m *Model) Successors(s State, emit func(Label, State)) {
	if s.Err != NoErr {
		return
	}
	if m.tsCap != 0 {
		inner := emit
		emit = func(l Label, n State) { inner(l, m.canonTS(n)) }
	}
	for i := 0; i < s.Net.Len(); i++ {
		if i > 0 && s.Net.segs[i] == s.Net.segs[i-1] {
			continue
		}
		g := s.Net.At(i)
		if m.synOpens(g.Src.Peer(), &s.Ends[g.Src.Peer()], g) {
			for _, iss := range m.issList(s, g.Src.Peer()) {
				next, l := s, Label{Action: Action{Kind: ActDeliver, Seg: g, ISS: iss}}
				if m.deliverAt(&next, i, g, &l) {
					emit(l, next)
				}
			}
		} else {
			next, l := s, Label{Action: Action{Kind: ActDeliver, Seg: g}}
			if m.deliverAt(&next, i, g, &l) {
				emit(l, next)
			}
		}
		if !m.faultable(g) {
			continue
		}
		if s.LossLeft > 0 {
			next := s
			next.Net.removeAt(i)
			next.LossLeft--
			emit(Label{Action: Action{Kind: ActDrop, Seg: g}}, next)
		}
		if s.DupLeft > 0 {
			next := s
			next.DupLeft--
			if !next.Net.insert(g) {
				next.Err = ErrOverflow
			}
			emit(Label{Action: Action{Kind: ActDuplicate, Seg: g}}, next)
		}
	}
	for side := A; side <= B; side++ {
		if m.closeEnabled(&s, side) {
			if next, l, ok := m.userClose(s, side, Label{Action: Action{Kind: ActClose, Side: side}}); ok {
				emit(l, next)
			}
		}
	}
	if m.connectMayOpen(s) {
		for _, iss := range m.issList(s, A) {
			a := Action{Kind: ActConnect, Side: A, ISS: iss}
			if next, l, ok := m.userConnect(s, a, Label{Action: a}); ok {
				emit(l, next)
			}
		}
	}
	for side := A; side <= B; side++ {
		e := &s.Ends[side]
		for t := TimerRtx0; t <= TimerTW; t++ {
			var tm Timer
			if t == TimerTW {
				tm = e.TW
			} else {
				tm = e.Rtx[t]
			}
			if !tm.Expired() {
				continue
			}
			a := Action{Kind: ActTimeout, Side: side, Timer: t}
			if next, l, ok := m.timeout(s, a, Label{Action: a}); ok {
				emit(l, next)
			}
		}
	}
	if next := s; m.tickAt(&next) {
		emit(Label{Action: Action{Kind: ActTick}}, next)
	}
}

// faultable reports whether Successors offers to drop or duplicate g: at
// age 0, in the instant it was sent, or at any age under Config.LateFaults.
//
// Moving a drop or a duplication of a copy back to the instant it was sent
// keeps every run: until the later instant the copy's presence changes no
// step (a tick waits only for a copy at its age limit, a duplicate is as
// old as its original, and a dropped copy is never delivered), so the run
// reaches the same state in as many steps (docs/model.md, "Fault timing", which also
// covers the ISS choice and overflow). A Rules.ISS override may read the
// network, so under one every age is offered.
func (m *Model) faultable(g Segment) bool { return g.Age == 0 || m.late }

// connectMayOpen is a cheap necessary condition for userConnect: A has an
// incarnation left, and is CLOSED, or in TIME-WAIT where tcp_tw_reuse or
// the connect-in-TIME-WAIT mutant may take it over. It spares Successors
// a call per ISS in every state where A cannot connect.
func (m *Model) connectMayOpen(s State) bool {
	e := s.Ends[A]
	return int(e.Inc) < m.cfg.Incarnations &&
		(e.St == Closed || e.St == TimeWait && (m.reuse > 0 || m.cfg.Mutant == MutConnectInTimeWait))
}

// Actions lists the enabled actions of s in a fixed order: for each distinct
// copy in canonical order, deliver (a SYN to LISTEN once per ISS), drop and
// duplicate it (at age 0 only, unless Config.LateFaults); then closes and
// connects (by ISS); then timer expiries; then tick. These are the actions
// Successors takes; Step also accepts a drop or duplication at a later age.
func (m *Model) Actions(s State) []Action {
	var out []Action
	m.forEachAction(s, func(a Action) {
		if _, _, ok := m.Step(s, a); ok {
			out = append(out, a)
		}
	})
	return out
}

// forEachAction calls f with every candidate action; Step decides whether it
// is enabled.
func (m *Model) forEachAction(s State, f func(Action)) {
	if s.Err != NoErr {
		return
	}
	for i := 0; i < s.Net.Len(); i++ {
		if i > 0 && s.Net.segs[i] == s.Net.segs[i-1] {
			continue
		}
		g := s.Net.At(i)
		if m.synOpens(g.Src.Peer(), &s.Ends[g.Src.Peer()], g) {
			// LISTEN (or a TIME-WAIT that reopens) chooses its ISS when
			// the SYN arrives.
			for _, iss := range m.issList(s, g.Src.Peer()) {
				f(Action{Kind: ActDeliver, Seg: g, ISS: iss})
			}
		} else {
			f(Action{Kind: ActDeliver, Seg: g})
		}
		if m.faultable(g) {
			f(Action{Kind: ActDrop, Seg: g})
			f(Action{Kind: ActDuplicate, Seg: g})
		}
	}
	f(Action{Kind: ActClose, Side: A})
	f(Action{Kind: ActClose, Side: B})
	// Not connectMayOpen: this is the reference TestSuccessorsMatchStep
	// holds Successors to, so it offers a connect wherever A's state
	// allows one at all.
	if st := s.Ends[A].St; st == Closed || st == TimeWait {
		for _, iss := range m.issList(s, A) {
			f(Action{Kind: ActConnect, Side: A, ISS: iss})
		}
	}
	for side := A; side <= B; side++ {
		for t := TimerRtx0; t <= TimerTW; t++ {
			f(Action{Kind: ActTimeout, Side: side, Timer: t})
		}
	}
	f(Action{Kind: ActTick})
}

// Step applies a to s. ok is false when a is not enabled in s; Step never
// fails otherwise. It is pure. A drop or duplication is enabled at any age
// of the copy, with or without Config.LateFaults, so that every run of the
// network's semantics replays.
func (m *Model) Step(s State, a Action) (next State, l Label, ok bool) {
	next, l, ok = m.step(s, a)
	if ok && m.tsCap != 0 {
		next = m.canonTS(next)
	}
	return next, l, ok
}

// canonTS saturates a TS.Recent that is older than every timestamped copy
// its peer has in flight: every comparison it can still take part in then
// finds the copy newer (copies sent later are newer still), exactly as with
// the saturated value, so the two states are one. It keeps the state space
// from counting the age of a TS.Recent no copy can be compared with.
func (m *Model) canonTS(s State) State {
	for side := A; side <= B; side++ {
		e := &s.Ends[side]
		if e.TSRecent == 0 || e.TSRecent == m.tsCap {
			continue
		}
		oldest := -1
		for i := 0; i < s.Net.Len(); i++ {
			if g := s.Net.At(i); g.Src != side && m.hasTS(g) && int(g.Age) > oldest {
				oldest = int(g.Age)
			}
		}
		if int(e.TSRecent) > oldest+1 {
			e.TSRecent, e.TSInc = m.tsCap, 0
		}
	}
	return s
}

// step is Step before canonTS.
func (m *Model) step(s State, a Action) (next State, l Label, ok bool) {
	if s.Err != NoErr {
		return s, l, false
	}
	l.Action = a
	switch a.Kind {
	case ActDeliver:
		return m.deliver(s, a.Seg, l)
	case ActDrop:
		i := s.Net.index(a.Seg)
		if i < 0 || s.LossLeft == 0 {
			return s, l, false
		}
		s.Net = s.Net.remove(i)
		s.LossLeft--
		return s, l, true
	case ActDuplicate:
		i := s.Net.index(a.Seg)
		if i < 0 || s.DupLeft == 0 {
			return s, l, false
		}
		s.DupLeft--
		s.Net, ok = s.Net.add(a.Seg)
		if !ok {
			s.Err = ErrOverflow
		}
		return s, l, true
	case ActClose:
		return m.userClose(s, a.Side, l)
	case ActConnect:
		return m.userConnect(s, a, l)
	case ActTimeout:
		return m.timeout(s, a, l)
	case ActTick:
		ok := m.tickAt(&s)
		return s, l, ok
	}
	return s, l, false
}

// deliver hands a copy to its receiver's handler.
func (m *Model) deliver(s State, g Segment, l Label) (State, Label, bool) {
	i := s.Net.index(g)
	if i < 0 {
		return s, l, false
	}
	ok := m.deliverAt(&s, i, g, &l)
	return s, l, ok
}

// deliverAt is deliver for the copy g at position i of the network.
// It works in place: *s is the state the copy is delivered in and becomes
// the successor, *l is the label being built (a pointer each, so that the
// explorer's hottest path copies neither); *s and *l are unchanged when the
// delivery is not enabled.
func (m *Model) deliverAt(s *State, i int, g Segment, l *Label) bool {
	if m.cfg.SameInstant == DeliveriesFirst && s.Phase != 0 {
		return false
	}
	dst := g.Src.Peer()
	e := s.Ends[dst]
	if m.synOpens(dst, &e, g) {
		// The ISS choices are those of the state that offered the delivery,
		// the SYN still in flight.
		ok, bad := m.issAllowed(*s, dst, l.Action.ISS)
		if !ok {
			return false
		}
		if bad {
			s.Net.removeAt(i)
			s.Err = ErrRule
			return true
		}
		if e.St == Listen {
			e.ISS = l.Action.ISS
		}
	} else if l.Action.ISS != 0 {
		return false
	}
	s.Net.removeAt(i)
	r := m.receive(dst, e, g, l.Action.ISS)
	l.Handler = Handler{State: e.St, Event: SegmentEvent(g)}
	l.Note, l.Mutant = r.note, r.mutant
	if r.err {
		s.Err = ErrRule
		return true
	}
	m.setEnd(s, dst, r.e)
	if r.hasReply {
		m.send(s, dst, r.reply, l)
	}
	return true
}

// setEnd replaces one endpoint and records the TIME-WAIT ghost. B, the
// server, listens again as soon as it has no TCB and incarnations remain
// (RFC 9293 §3.10.1 passive OPEN), in the same step. An endpoint without a
// TCB keeps TS.Recent only under Config.TSCache.
func (m *Model) setEnd(s *State, side Side, e Endpoint) {
	if e.St == TimeWait && s.Ends[side].St != TimeWait {
		s.TWEntered[side] |= 1 << e.Inc
	}
	if side == B && e.St == Closed && int(e.Inc) < m.cfg.Incarnations {
		e = Endpoint{St: Listen, Inc: e.Inc + 1, TSRecent: e.TSRecent, TSInc: e.TSInc}
	}
	if !e.St.HasTCB() && !m.cfg.TSCache {
		e.TSRecent, e.TSInc = 0, 0
	}
	s.Ends[side] = e
	if m.cfg.ISNClock > 0 {
		*s = m.freezeClocks(*s)
	}
}

// synOpens reports whether the copy g, delivered to the endpoint e, would
// open a connection there and so needs an ISS: a SYN (without ACK or RST)
// to LISTEN, unless the per-host timestamp cache drops it, or to a
// TIME-WAIT that reopens (Config.TWSyn).
func (m *Model) synOpens(side Side, e *Endpoint, g Segment) bool {
	if g.Flags&(SYN|ACK|RST) != SYN {
		return false
	}
	switch e.St {
	case Listen:
		return !m.tsCacheDrops(*e, g)
	case TimeWait:
		return m.reopens(side, *e, g)
	}
	return false
}

// freezeClocks zeroes the ISN clock of a side that can choose no further
// ISS (A has used its last incarnation; B has no listener to come), so
// that states differing only there are one state.
func (m *Model) freezeClocks(s State) State {
	if int(s.Ends[A].Inc) >= m.cfg.Incarnations {
		s.Clock[A] = 0
	}
	if b := s.Ends[B]; b.St != Listen && int(b.Inc) >= m.cfg.Incarnations {
		s.Clock[B] = 0
	}
	return s
}

// send puts a fresh copy (age 0) from side on the network and records it in
// the label.
func (m *Model) send(s *State, side Side, g Segment, l *Label) {
	g.Src, g.Age = side, 0
	if !s.Net.insert(g) {
		s.Err = ErrOverflow
	}
	if int(l.NSent) < len(l.Sent) {
		l.Sent[l.NSent] = g
		l.NSent++
	}
}

// urgentCopy reports whether some copy must be delivered or dropped at this
// instant.
func (m *Model) urgentCopy(s *State) bool { return s.Net.Len() > 0 && s.Net.maxAge() >= m.ageLimit }

// issChoices lists the initial sequence numbers side may choose for a new
// incarnation. The adversary chooses (worst-case overlap), so every number is
// a choice, except when no number of side's sequence space is left anywhere in
// the state: then all choices are the same up to a rotation of that space and
// 0 stands for them all.
//
// Under Rules.ISS the rule's list is the choice; bad is true when it is
// empty or holds a number outside the space (the step then leads to an
// ErrRule state, offered once with ISS 0).
func (m *Model) issChoices(s State, side Side) (list []Seq, bad bool) {
	if m.cfg.Rules != nil && m.cfg.Rules.ISS != nil {
		raw := m.cfg.Rules.ISS(s, side)
		if len(raw) == 0 {
			return allISS[:1], true
		}
		var seen [MaxSeqSpace]bool
		for _, q := range raw {
			if int(q) >= int(m.sp) {
				return allISS[:1], true
			}
			if !seen[q] { // a number listed twice is one choice
				seen[q] = true
				list = append(list, q)
			}
		}
		return list, false
	}
	e := s.Ends[side]
	if e.St == TimeWait {
		switch {
		case side == A && m.cfg.TWReuse > 0, side == B && m.cfg.TWSyn == SynLinux:
			// tcp_tw_reuse (A) and Linux's TCP_TW_SYN (B): isn =
			// tw_snd_nxt + 65535 + 2, the largest window past SND.NXT.
			return oneISS(m.sp.Add(e.SndNxt, m.wnd+2)), false
		case m.cfg.TWSyn == SynRFC1122:
			// MAY-2 (1): larger than the largest sequence number the old
			// incarnation used (its FIN's, SND.NXT-1).
			if m.cfg.ISNClock > 0 {
				if q := m.clockISS(s, side); m.sp.LEQ(e.SndNxt, q) {
					return oneISS(q), false
				}
				return oneISS(e.SndNxt), false
			}
			for k := 0; k < int(m.sp)/2; k++ {
				list = append(list, m.sp.Add(e.SndNxt, k))
			}
			return list, false
		}
	}
	if m.cfg.ISNClock > 0 {
		return oneISS(m.clockISS(s, side)), false
	}
	if spaceFree(s, side) {
		return allISS[:1], false
	}
	return allISS[:m.sp], false
}

// issFixed reports whether side's ISS choice in s is narrower than the
// whole space (an ISN clock, or a TIME-WAIT rule's ISS), so that a chosen
// ISS must be one listed. Without it every ISS is allowed: the list then
// holds every number, or 0 alone standing for all of them by rotation.
func (m *Model) issFixed(s State, side Side) bool {
	return m.cfg.ISNClock > 0 || s.Ends[side].St == TimeWait && m.faithful
}

// clockISS is side's ISN clock reading.
func (m *Model) clockISS(s State, side Side) Seq {
	return Seq(int(s.Clock[side]) / m.cfg.Grid % int(m.sp))
}

// oneISS is the list holding q alone.
func oneISS(q Seq) []Seq { return allISS[q : q+1] }

// issList is issChoices without the flag.
func (m *Model) issList(s State, side Side) []Seq {
	l, _ := m.issChoices(s, side)
	return l
}

// issAllowed checks a chosen ISS against Rules.ISS (every ISS in the space
// is allowed without it); bad is as for issChoices.
func (m *Model) issAllowed(s State, side Side, iss Seq) (ok, bad bool) {
	if (m.cfg.Rules == nil || m.cfg.Rules.ISS == nil) && !m.issFixed(s, side) {
		return int(iss) < int(m.sp), false
	}
	list, bad := m.issChoices(s, side)
	if bad {
		return iss == 0, true
	}
	for _, q := range list {
		if q == iss {
			return true, false
		}
	}
	return false, false
}

// allISS lists every sequence number of the largest space, in order; it
// is never written.
var allISS = func() (a [MaxSeqSpace]Seq) {
	for i := range a {
		a[i] = Seq(i)
	}
	return a
}()

// spaceFree reports whether no number of side's sequence space is held by
// the peer's TCB or carried by a copy in flight (side's own TCB is about to
// be replaced).
func spaceFree(s State, side Side) bool {
	if s.Ends[side.Peer()].St.HasTCB() && s.Ends[side.Peer()].St != SynSent {
		return false
	}
	for i := 0; i < s.Net.Len(); i++ {
		g := s.Net.At(i)
		if g.Src == side || g.Flags.Has(ACK) {
			return false
		}
	}
	return true
}
