package model

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Rules overrides individual rules of the model without forking it: what an
// endpoint does with an arriving copy, the TIME-WAIT and retransmission
// timers' lengths, and the initial sequence numbers a new incarnation may
// choose. A nil field keeps the model's own rule. Every function must be
// pure and deterministic (the explorer calls them from several goroutines and
// relies on getting the same answer every time).
//
// Rules reach a model through [Config.Rules]. A value the model cannot
// represent (a sequence number outside the space, a timer that does not fit
// its 8-bit countdown) is never truncated: the step leads to a state marked
// [ErrRule], which the tools report as a model error. [RulesDigest]
// fingerprints a rule set's behaviour so that trace files can record which
// rules produced them.
type Rules struct {
	// Segment decides what side, whose endpoint is e, does with the
	// arriving copy g, in place of the RFC handler for e.St (RFC 9293
	// §3.10.7). ok = false falls back to the model's own handler, so an
	// override may handle only the cases it changes. The copy's ghost fields
	// (Age, Inc, Orphan, Rtx) are the model's, not part of the segment.
	Segment func(side Side, e Endpoint, g Segment) (r Reaction, ok bool)
	// TimeWait returns TIME-WAIT's length in ticks for the TCB of
	// incarnation inc (1..7), in place of Config.TW. It is read when the
	// model is built.
	TimeWait func(inc uint8) int
	// RTO returns the retransmission interval in ticks after tries
	// retransmissions (0..Config.Retries), in place of RTO·Backoff^tries.
	// It is read when the model is built.
	RTO func(tries int) int
	// ISS lists the initial sequence numbers side may choose for its next
	// incarnation in state s (a connect by A, a SYN reaching B in LISTEN),
	// in place of every number (the model's worst-case overlap). The list
	// must not be empty; order matters only for the order of successors.
	ISS func(s State, side Side) []Seq
}

// Reaction is what an endpoint does with an arriving copy: its new state
// and at most one reply.
type Reaction struct {
	Endpoint Endpoint // the endpoint after the segment
	Reply    *Segment // the segment sent in answer; the model sets Src, Age, Orphan (the endpoint had no connection) and Rtx (false); Inc is the rule's: the model's own orphan RSTs carry the incarnation of the copy they answer
	Note     string   // what happened, in words (shown in traces)
}

// ErrRule marks a state reached through a rule override that returned a
// value the model cannot represent.
const ErrRule ErrCode = 2

// String names the error ("overflow", "rule").
func (c ErrCode) String() string {
	switch c {
	case NoErr:
		return "none"
	case ErrOverflow:
		return "overflow"
	case ErrRule:
		return "rule"
	}
	return fmt.Sprintf("ErrCode(%d)", uint8(c))
}

// Describe says what a model-error state means, for error messages.
func (c ErrCode) Describe() string {
	switch c {
	case ErrOverflow:
		return fmt.Sprintf("more than %d copies in flight", MaxInFlight)
	case ErrRule:
		return "a rule override (model.Rules) returned a value the model cannot represent"
	}
	return c.String()
}

// validEndpoint reports whether e fits the model's representation.
func (m *Model) validEndpoint(e Endpoint) bool {
	seqs := []Seq{e.ISS, e.SndUna, e.SndNxt, e.RcvNxt, e.IRS, e.Prev.ISS, e.Prev.SndNxt, e.Prev.RcvNxt, e.Prev.IRS}
	for _, q := range seqs {
		if int(q) >= int(m.sp) {
			return false
		}
	}
	if e.TSRecent > m.tsCap || e.TSInc > 7 {
		return false
	}
	for _, t := range append(e.Rtx[:], e.TW) {
		if !t.On && t != (Timer{}) {
			return false // an off timer is all zero
		}
	}
	return e.St < numStates && e.Inc >= 1 && e.Inc <= 7
}

// validSegment reports whether g fits the packed representation and the
// configuration's space.
func (m *Model) validSegment(g Segment) bool {
	return g.Flags <= SYN|ACK|FIN|RST && g.Len <= 3 && int(g.Seq) < int(m.sp) && int(g.Ack) < int(m.sp) && g.Inc <= 7
}

// ruleSegment applies the Segment override; ok is false when there is none
// or it declines. bad is true when it returned an unrepresentable value.
func (m *Model) ruleSegment(side Side, e Endpoint, g Segment) (r rx, ok, bad bool) {
	if m.cfg.Rules == nil || m.cfg.Rules.Segment == nil {
		return rx{}, false, false
	}
	re, ok := m.cfg.Rules.Segment(side, e, g)
	if !ok {
		return rx{}, false, false
	}
	r = rx{e: re.Endpoint, note: re.Note}
	if r.note == "" {
		r.note = "rule override"
	}
	if !m.validEndpoint(re.Endpoint) {
		return r, true, true
	}
	if re.Reply != nil {
		if !m.validSegment(*re.Reply) {
			return r, true, true
		}
		// The model's ghost fields: a reply from an endpoint with no
		// connection is an orphan (as the model's own RSTs from CLOSED and
		// LISTEN are), and a reply is never a retransmission.
		r.reply, r.hasReply = *re.Reply, true
		r.reply.Orphan, r.reply.Rtx = !e.St.HasTCB(), false
	}
	return r, true, false
}

// timerTable resolves the TimeWait and RTO overrides into sub-tick
// countdowns, checking that each fits an 8-bit timer.
func (c Config) timerTable() (tw [8]int, rto []int, err error) {
	g := c.EffectiveGrid()
	for inc := 1; inc < len(tw); inc++ {
		tw[inc] = c.TW * g
		if c.Rules != nil && c.Rules.TimeWait != nil {
			t := c.Rules.TimeWait(uint8(inc))
			if t < 0 || t*g > 255 {
				return tw, nil, fmt.Errorf("rules: TimeWait(%d) = %d ticks does not fit the model's timers (0..%d at grid %d)", inc, t, 255/g, g)
			}
			tw[inc] = t * g
		}
	}
	rto = make([]int, c.Retries+1)
	for k := range rto {
		rto[k] = c.rtxInterval(k)
		if c.Rules != nil && c.Rules.RTO != nil {
			t := c.Rules.RTO(k)
			if t < 1 || t*g > 255 {
				return tw, nil, fmt.Errorf("rules: RTO(%d) = %d ticks does not fit the model's timers (1..%d at grid %d)", k, t, 255/g, g)
			}
			rto[k] = t * g
		}
	}
	return tw, rto, nil
}

// RulesDigest fingerprints what r does, for trace files. It hashes every
// answer of r's functions on a fixed probe: TimeWait and RTO over their whole
// domain; Segment on
// every endpoint reachable in the probe configuration (DefaultConfig with
// three incarnations, MSL 1, grid 1, faults at every age, the model's own
// rules) against a grid of
// segments around it (every flag combination, sequence numbers at and next
// to RCV.NXT, acknowledgements at and next to SND.NXT, with and without a
// data octet); and Segment and ISS on the first 200,000 states reachable
// with r itself, with the copies in flight there. Two rule sets with the
// same digest behave identically on that probe; a change of behaviour there
// changes the digest. nil rules have the digest "".
func RulesDigest(r *Rules) (string, error) {
	if r == nil {
		return "", nil
	}
	// The probe runs on the finest grid (inclusive lifetime, grid 1), where
	// the timers admit the longest lengths in ticks.
	// Faults at every age (Config.LateFaults): the probe's states, and so
	// every digest, are those from before the fault timing.
	probe := DefaultConfig()
	probe.Incarnations, probe.Lifetime, probe.LateFaults = 3, Inclusive, true
	withRules := probe
	withRules.Rules = r
	m, err := New(withRules)
	if err != nil {
		return "", err
	}
	plain, err := New(probe)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	var buf [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	// The timer rules over their whole domain (incarnations 1..7, and up
	// to the 6 retransmissions Config.Retries allows), not just the probe's.
	if r.TimeWait != nil {
		for inc := uint8(1); inc <= 7; inc++ {
			put(uint64(int64(r.TimeWait(inc))))
		}
	}
	if r.RTO != nil {
		for k := 0; k <= 6; k++ {
			put(uint64(int64(r.RTO(k))))
		}
	}
	segment := func(side Side, e Endpoint, g Segment) {
		put(uint64(side)<<40 | uint64(g.pack()))
		put(endWord(&e) ^ uint64(e.TW.Due)<<56)
		re, ok := r.Segment(side, e, g)
		if !ok {
			put(0)
			return
		}
		put(1)
		put(endWord(&re.Endpoint))
		put(uint64(re.Endpoint.TW.Due) | uint64(re.Endpoint.TW.Tries)<<8 | boolBit(re.Endpoint.TW.On)<<16)
		if re.Reply != nil {
			put(uint64(re.Reply.pack()) | 1<<40)
		}
		h.Write([]byte(re.Note))
		put(uint64(len(re.Note)))
	}
	const limit = 200000
	explore := func(m *Model, visit func(State)) {
		seen := map[State]bool{}
		queue := m.Init()
		for _, s := range queue {
			seen[s] = true
		}
		for i := 0; i < len(queue) && i < limit; i++ {
			visit(queue[i])
			m.Successors(queue[i], func(_ Label, n State) {
				if !seen[n] {
					seen[n] = true
					queue = append(queue, n)
				}
			})
		}
	}
	if r.Segment != nil {
		type sideEnd struct {
			side Side
			e    Endpoint
		}
		var ends []sideEnd // in order of discovery: deterministic
		have := map[sideEnd]bool{}
		explore(plain, func(s State) {
			for side := A; side <= B; side++ {
				k := sideEnd{side, s.Ends[side]}
				if !have[k] {
					have[k] = true
					ends = append(ends, k)
				}
			}
		})
		for _, k := range ends {
			e := k.e
			for f := Flags(0); f <= SYN|ACK|FIN|RST; f++ {
				for _, seq := range []Seq{e.RcvNxt.Add(-1), e.RcvNxt, e.RcvNxt.Add(1), e.RcvNxt.Add(SeqSpace / 2)} {
					for _, ack := range []Seq{e.SndUna, e.SndNxt, e.SndNxt.Add(1)} {
						for ln := uint8(0); ln <= 1; ln++ {
							segment(k.side, e, Segment{Src: k.side.Peer(), Flags: f, Len: ln, Seq: seq, Ack: ack, Inc: e.Inc})
						}
					}
				}
			}
		}
	}
	explore(m, func(s State) {
		if r.Segment != nil {
			for k := 0; k < s.Net.Len(); k++ {
				g := s.Net.At(k)
				segment(g.Src.Peer(), s.Ends[g.Src.Peer()], g)
			}
		}
		if r.ISS != nil {
			for side := A; side <= B; side++ {
				for _, q := range r.ISS(s, side) {
					put(uint64(q))
				}
				put(1 << 32)
			}
		}
	})
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// Helpers for writing Rules.Segment: the model's own building blocks.

// Acceptable is RFC 9293 §3.10.7.4's acceptability test (Table 6) with the
// model's receive window.
// It computes in the default space and window; [Space.Acceptable] takes
// the configuration's ([Model.Space], [Model.Window]).
func Acceptable(g Segment, rcvNxt Seq) bool { return Space(SeqSpace).Acceptable(g, rcvNxt, RcvWnd) }

// AckFor is <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> from e.
func AckFor(e Endpoint) Segment { return ackOf(e) }

// Closed is e after its TCB is deleted (CLOSED, incarnation kept; B listens
// again on its own when incarnations remain).
func (e Endpoint) Closed() Endpoint { return e.closed() }
