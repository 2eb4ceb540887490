package model

// Model is the transition system for one [Config]. It is immutable and safe
// for concurrent use.
type Model struct {
	cfg      Config
	tw       [8]int // TIME-WAIT length in sub-ticks, by incarnation (Config.TW or Rules.TimeWait)
	rto      []int  // retransmission interval in sub-ticks, by retransmissions made (Config or Rules.RTO)
	finDur   int    // FIN-WAIT-2 timeout in sub-ticks (0: no FIN-WAIT-2 timer)
	ageLimit int    // largest age at which a copy may be delivered
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
	return &Model{cfg: cfg, tw: tw, rto: rto, finDur: cfg.FinTimeout * cfg.Grid, ageLimit: cfg.ageLimit()}, nil
}

// Config returns the resolved configuration.
func (m *Model) Config() Config { return m.cfg }

// Init returns the single initial state: both endpoints ESTABLISHED in
// incarnation 1 (ISS 0 on both sides), and B's one data octet just sent, its
// retransmission timer running.
func (m *Model) Init() []State {
	a := Endpoint{St: Established, Inc: 1, SndUna: 1, SndNxt: 1, RcvNxt: 1}
	b := Endpoint{St: Established, Inc: 1, SndUna: 1, SndNxt: 2, RcvNxt: 1, Data: true}
	b.Rtx[SlotFirst] = startTimer(m.rto[0], 0)
	s := State{Ends: [2]Endpoint{a, b}, LossLeft: uint8(m.cfg.Loss), DupLeft: uint8(m.cfg.Dup)}
	s.Net, _ = s.Net.add(Segment{Src: B, Flags: ACK, Len: 1, Seq: 1, Ack: 1, Inc: 1})
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
	for i := 0; i < s.Net.Len(); i++ {
		if i > 0 && s.Net.segs[i] == s.Net.segs[i-1] {
			continue
		}
		g := s.Net.At(i)
		if g.Flags.Has(SYN) && !g.Flags.Has(ACK) && !g.Flags.Has(RST) && s.Ends[g.Src.Peer()].St == Listen {
			for _, iss := range m.issList(s, g.Src.Peer()) {
				if next, l, ok := m.deliverAt(s, i, g, Label{Action: Action{Kind: ActDeliver, Seg: g, ISS: iss}}); ok {
					emit(l, next)
				}
			}
		} else if next, l, ok := m.deliverAt(s, i, g, Label{Action: Action{Kind: ActDeliver, Seg: g}}); ok {
			emit(l, next)
		}
		if s.LossLeft > 0 {
			next := s
			next.Net = s.Net.remove(i)
			next.LossLeft--
			emit(Label{Action: Action{Kind: ActDrop, Seg: g}}, next)
		}
		if s.DupLeft > 0 {
			next := s
			next.DupLeft--
			var ok bool
			if next.Net, ok = s.Net.add(g); !ok {
				next.Err = ErrOverflow
			}
			emit(Label{Action: Action{Kind: ActDuplicate, Seg: g}}, next)
		}
	}
	for side := A; side <= B; side++ {
		if m.closeEnabled(s, side) {
			if next, l, ok := m.userClose(s, side, Label{Action: Action{Kind: ActClose, Side: side}}); ok {
				emit(l, next)
			}
		}
	}
	if st := s.Ends[A].St; st == Closed || st == TimeWait {
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
	if next, l, ok := m.tick(s, Label{Action: Action{Kind: ActTick}}); ok {
		emit(l, next)
	}
}

// Actions lists the enabled actions of s in a fixed order: for each distinct
// copy in canonical order, deliver (a SYN to LISTEN once per ISS), drop and
// duplicate it; then closes and connects (by ISS); then timer expiries; then
// tick.
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
		if g.Flags.Has(SYN) && !g.Flags.Has(ACK) && !g.Flags.Has(RST) && s.Ends[g.Src.Peer()].St == Listen {
			// LISTEN chooses its ISS when the SYN arrives.
			for _, iss := range m.issList(s, g.Src.Peer()) {
				f(Action{Kind: ActDeliver, Seg: g, ISS: iss})
			}
		} else {
			f(Action{Kind: ActDeliver, Seg: g})
		}
		f(Action{Kind: ActDrop, Seg: g})
		f(Action{Kind: ActDuplicate, Seg: g})
	}
	f(Action{Kind: ActClose, Side: A})
	f(Action{Kind: ActClose, Side: B})
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
// fails otherwise. It is pure.
func (m *Model) Step(s State, a Action) (next State, l Label, ok bool) {
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
		return m.tick(s, l)
	}
	return s, l, false
}

// deliver hands a copy to its receiver's handler.
func (m *Model) deliver(s State, g Segment, l Label) (State, Label, bool) {
	i := s.Net.index(g)
	if i < 0 {
		return s, l, false
	}
	return m.deliverAt(s, i, g, l)
}

// deliverAt is deliver for the copy g at position i of the network.
func (m *Model) deliverAt(s State, i int, g Segment, l Label) (State, Label, bool) {
	if m.cfg.SameInstant == DeliveriesFirst && s.Phase != 0 {
		return s, l, false
	}
	dst := g.Src.Peer()
	e := s.Ends[dst]
	if g.Flags.Has(SYN) && g.Flags&(ACK|RST) == 0 && e.St == Listen {
		// The ISS choices are those of the state that offered the delivery,
		// the SYN still in flight.
		ok, bad := m.issAllowed(s, dst, l.Action.ISS)
		if !ok {
			return s, l, false
		}
		if bad {
			s.Net = s.Net.remove(i)
			s.Err = ErrRule
			return s, l, true
		}
		e.ISS = l.Action.ISS
	} else if l.Action.ISS != 0 {
		return s, l, false
	}
	s.Net = s.Net.remove(i)
	r := m.receive(dst, e, g)
	l.Handler = Handler{State: e.St, Event: SegmentEvent(g)}
	l.Note, l.Mutant = r.note, r.mutant
	if r.err {
		s.Err = ErrRule
		return s, l, true
	}
	s = m.setEnd(s, dst, r.e)
	if r.hasReply {
		s, l = m.send(s, dst, r.reply, l)
	}
	return s, l, true
}

// setEnd replaces one endpoint and records the TIME-WAIT ghost. B, the
// server, listens again as soon as it has no TCB and incarnations remain
// (RFC 9293 §3.10.1 passive OPEN), in the same step.
func (m *Model) setEnd(s State, side Side, e Endpoint) State {
	if e.St == TimeWait && s.Ends[side].St != TimeWait {
		s.TWEntered[side] |= 1 << e.Inc
	}
	if side == B && e.St == Closed && int(e.Inc) < m.cfg.Incarnations {
		e = Endpoint{St: Listen, Inc: e.Inc + 1}
	}
	s.Ends[side] = e
	return s
}

// send puts a fresh copy (age 0) from side on the network and records it in
// the label.
func (m *Model) send(s State, side Side, g Segment, l Label) (State, Label) {
	g.Src, g.Age = side, 0
	var ok bool
	if s.Net, ok = s.Net.add(g); !ok {
		s.Err = ErrOverflow
	}
	if int(l.NSent) < len(l.Sent) {
		l.Sent[l.NSent] = g
		l.NSent++
	}
	return s, l
}

// urgentCopy reports whether some copy must be delivered or dropped at this
// instant.
func (m *Model) urgentCopy(s State) bool { return s.Net.Len() > 0 && s.Net.maxAge() >= m.ageLimit }

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
		var seen [SeqSpace]bool
		for _, q := range raw {
			if q >= SeqSpace {
				return allISS[:1], true
			}
			if !seen[q] { // a number listed twice is one choice
				seen[q] = true
				list = append(list, q)
			}
		}
		return list, false
	}
	if spaceFree(s, side) {
		return allISS[:1], false
	}
	return allISS[:], false
}

// issList is issChoices without the flag.
func (m *Model) issList(s State, side Side) []Seq {
	l, _ := m.issChoices(s, side)
	return l
}

// issAllowed checks a chosen ISS against Rules.ISS (every ISS in the space
// is allowed without it); bad is as for issChoices.
func (m *Model) issAllowed(s State, side Side, iss Seq) (ok, bad bool) {
	if m.cfg.Rules == nil || m.cfg.Rules.ISS == nil {
		return true, false
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

var allISS = [SeqSpace]Seq{0, 1, 2, 3, 4, 5, 6, 7}

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
