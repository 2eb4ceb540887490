package model

import (
	"fmt"
	"strings"
)

// ConnState is an RFC 9293 connection state. The zero value is Closed.
type ConnState uint8

// Connection states (RFC 9293 §3.3.2).
const (
	Closed ConnState = iota
	Listen
	SynSent
	SynReceived
	Established
	FinWait1
	FinWait2
	CloseWait
	Closing
	LastAck
	TimeWait
	numStates
)

var stateNames = [numStates]string{
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
	"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
}

// AllConnStates lists every state in enum order.
func AllConnStates() []ConnState {
	out := make([]ConnState, numStates)
	for i := range out {
		out[i] = ConnState(i)
	}
	return out
}

// String returns the RFC spelling ("TIME-WAIT").
func (c ConnState) String() string {
	if c < numStates {
		return stateNames[c]
	}
	return fmt.Sprintf("STATE(%d)", uint8(c))
}

// Synchronized reports whether c is one of RFC 9293's synchronized states.
func (c ConnState) Synchronized() bool { return c >= Established }

// HasTCB reports whether an endpoint in c holds a connection (anything but
// CLOSED and LISTEN).
func (c ConnState) HasTCB() bool { return c >= SynSent }

// Timer is a countdown in sub-ticks. A timer that is off is all zero.
type Timer struct {
	On    bool
	Due   uint8 // sub-ticks until expiry; expiry is due when On and Due == 0
	Tries uint8 // retransmissions already made under this timer
}

func startTimer(d int, tries uint8) Timer { return Timer{On: true, Due: uint8(d), Tries: tries} }

// Expired reports whether the timer is due now.
func (t Timer) Expired() bool { return t.On && t.Due == 0 }

// Timer slots of an endpoint's retransmission timers.
const (
	// SlotFirst times the SYN, SYN-ACK or data octet (and, under
	// RFC6298, every segment).
	SlotFirst = 0
	// SlotFIN times the FIN under the per-segment rule.
	SlotFIN = 1
)

// Endpoint is one side's connection state: the TCB fields the rules need.
type Endpoint struct {
	St             ConnState
	Inc            uint8 // incarnation of the TCB (LISTEN: the incarnation it waits for)
	ISS            Seq
	SndUna, SndNxt Seq
	RcvNxt         Seq
	IRS            Seq      // initial receive sequence number (synchronized states)
	Data           bool     // this TCB sends one data octet after its SYN (B's first incarnation)
	AppClosed      bool     // the user has called CLOSE: a FIN follows the data
	Rtx            [2]Timer // retransmission timers, indexed by SlotFirst, SlotFIN
	// TW is the TIME-WAIT timer; in FIN-WAIT-2 under Config.FinTimeout it
	// is the FIN-WAIT-2 timer (one slot, as Linux's tw_timer; String shows
	// it as "fin2="). In TIME-WAIT under Config.TWReuse its Tries counts
	// the sub-ticks since TIME-WAIT was entered, up to the reuse delay
	// (Linux's tw_entry_stamp); restarts keep it.
	TW Timer
	// TSRecent is RFC 7323's TS.Recent under Config.Timestamps, kept as an
	// age: 0 when there is none, else 1 + the sub-ticks since the segment
	// whose TSval it holds was sent. The timestamp clock is monotone across
	// incarnations and ticks every sub-tick, so a copy's TSval is older
	// than TS.Recent exactly when Age+1 > TSRecent. It saturates at two
	// past the oldest age a copy can be delivered at (older than every copy
	// either way). Under Config.TSCache it outlives the TCB: the per-host
	// cache.
	TSRecent uint8
	// TSInc is the incarnation tag of the copy whose TSval TS.Recent holds
	// (0 once TSRecent saturates). A host's connections on the 4-tuple
	// never overlap in time, and its timestamp clock ticks between them
	// (RFC 6191 §2 needs it monotone across incarnations), so of two TSvals
	// stamped in the same sub-tick the later incarnation's is the larger:
	// the model's TSval is (send sub-tick, sender's incarnation).
	TSInc uint8
	// Prev is, under Config.TWSyn rfc1122, the TIME-WAIT TCB that a
	// connection reopened from TIME-WAIT replaced, to return to if the SYN
	// proves an old duplicate (RFC 1122 §4.2.2.13 (2)).
	Prev Prev
}

// Prev is the part of a TIME-WAIT TCB a reopened connection keeps.
type Prev struct {
	On                  bool
	Inc                 uint8
	Data                bool
	ISS, SndNxt, RcvNxt Seq
	IRS                 Seq
}

// finSeq is the sequence number of e's FIN.
func (m *Model) finSeq(e Endpoint) Seq {
	if e.Data {
		return m.sp.Add(e.ISS, 1+m.dlen)
	}
	return m.sp.Add(e.ISS, 1)
}

// finSent reports whether e's FIN has been sent.
func (m *Model) finSent(e Endpoint) bool {
	return e.AppClosed && e.SndNxt == m.sp.Add(m.finSeq(e), 1)
}

// finAcked reports whether e's FIN has been sent and acknowledged.
func (m *Model) finAcked(e Endpoint) bool { return m.finSent(e) && e.SndUna == e.SndNxt }

// dataUnacked reports whether e's data has been sent but not all acknowledged.
func (m *Model) dataUnacked(e Endpoint) bool {
	return e.Data && m.sp.LEQ(e.SndUna, m.sp.Add(e.ISS, m.dlen))
}

// dataAcked reports whether e's data has been acknowledged.
func (m *Model) dataAcked(e Endpoint) bool {
	return e.Data && m.sp.LT(m.sp.Add(e.ISS, m.dlen), e.SndUna)
}

// closed returns the endpoint with its TCB deleted: CLOSED, only the
// incarnation kept (and TS.Recent, which the model clears unless
// Config.TSCache keeps it per host).
func (e Endpoint) closed() Endpoint {
	return Endpoint{Inc: e.Inc, TSRecent: e.TSRecent, TSInc: e.TSInc}
}

// SameConnection reports whether e and f agree on the connection: state,
// incarnation, ISS, SND.UNA, SND.NXT, RCV.NXT and whether CLOSE was called
// (not timers, IRS or the data flag). The stale-segment properties use it: a
// change here is an acceptance.
func (e Endpoint) SameConnection(f Endpoint) bool {
	return e.St == f.St && e.Inc == f.Inc && e.ISS == f.ISS && e.SndUna == f.SndUna &&
		e.SndNxt == f.SndNxt && e.RcvNxt == f.RcvNxt && e.AppClosed == f.AppClosed
}

// String is a compact one-line form, e.g.
// "TIME-WAIT inc=1 iss=0 una=2 nxt=2 rcv=4 tw=3"; a running FIN-WAIT-2
// timer is "fin2=N".
func (e Endpoint) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s inc=%d", e.St, e.Inc)
	if e.St != Closed {
		fmt.Fprintf(&b, " iss=%d", e.ISS)
	}
	if e.St.HasTCB() {
		fmt.Fprintf(&b, " una=%d nxt=%d rcv=%d", e.SndUna, e.SndNxt, e.RcvNxt)
	}
	if e.AppClosed && e.St.HasTCB() && e.St != TimeWait {
		b.WriteString(" closed")
	}
	for i, t := range e.Rtx {
		if t.On {
			fmt.Fprintf(&b, " rtx%d=%d/%d", i, t.Due, t.Tries)
		}
	}
	if e.TSRecent != 0 {
		fmt.Fprintf(&b, " ts=%d", e.TSRecent)
		if e.TSInc != 0 {
			fmt.Fprintf(&b, "/%d", e.TSInc)
		}
	}
	if e.Prev.On {
		fmt.Fprintf(&b, " prev=[TIME-WAIT inc=%d nxt=%d rcv=%d]", e.Prev.Inc, e.Prev.SndNxt, e.Prev.RcvNxt)
	}
	switch {
	case e.TW.On && e.St == FinWait2:
		fmt.Fprintf(&b, " fin2=%d", e.TW.Due)
	case e.TW.On:
		fmt.Fprintf(&b, " tw=%d", e.TW.Due)
	}
	return b.String()
}
