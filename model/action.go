package model

import (
	"fmt"
	"strconv"
	"strings"
)

// ActionKind enumerates the sources of nondeterminism.
type ActionKind uint8

// Action kinds.
const (
	ActDeliver   ActionKind = iota + 1 // the network delivers a copy
	ActDrop                            // the network loses a copy (charged to Loss)
	ActDuplicate                       // the network duplicates a copy (charged to Dup)
	ActClose                           // a user calls CLOSE (RFC 9293 §3.10.4)
	ActConnect                         // A's user calls active OPEN with the given ISS
	ActTimeout                         // a timer of one side expires
	ActTick                            // one sub-tick of time passes
)

var actionNames = []string{"", "deliver", "drop", "dup", "close", "connect", "timeout", "tick"}

// String returns the verb ("deliver").
func (k ActionKind) String() string { return enumString(actionNames, uint8(k)) }

// TimerID names one of an endpoint's timers.
type TimerID uint8

// Timers.
const (
	TimerRtx0 TimerID = iota // retransmission slot SlotFirst
	TimerRtx1                // retransmission slot SlotFIN
	// TimerTW is the TIME-WAIT timer's slot (Endpoint.TW). In FIN-WAIT-2
	// under Config.FinTimeout it is the FIN-WAIT-2 timer, as Linux's
	// tw_timer times both its FIN_WAIT2 and TIME_WAIT substates; its
	// expiry there is the event EvFinTimeout.
	TimerTW
)

var timerNames = []string{"rtx0", "rtx1", "tw"}

// String returns "rtx0", "rtx1" or "tw".
func (t TimerID) String() string { return enumString(timerNames, uint8(t)) }

// Action is one labelled step's cause. Network actions address a copy by
// value (every field, age included), never by position.
type Action struct {
	Kind  ActionKind
	Side  Side    // Close, Connect, Timeout
	Seg   Segment // Deliver, Drop, Duplicate
	ISS   Seq     // Connect, and Deliver of a SYN to LISTEN: the ISS chosen
	Timer TimerID // Timeout
}

// String is the one-line form that [ParseAction] reads back:
// "deliver B>A FIN|ACK seq=2 ack=2 inc=1 age=0", "close A",
// "connect A iss=5", "timeout B rtx1", "tick". Delivering a SYN
// to LISTEN adds the ISS chosen: "deliver A>B SYN seq=5 inc=2 age=0 iss=3".
func (a Action) String() string {
	switch a.Kind {
	case ActDeliver, ActDrop, ActDuplicate:
		if a.ISS != 0 {
			return fmt.Sprintf("%s %s iss=%d", a.Kind, a.Seg, a.ISS)
		}
		return a.Kind.String() + " " + a.Seg.String()
	case ActClose:
		return a.Kind.String() + " " + a.Side.String()
	case ActConnect:
		return fmt.Sprintf("%s %s iss=%d", a.Kind, a.Side, a.ISS)
	case ActTimeout:
		return fmt.Sprintf("timeout %s %s", a.Side, a.Timer)
	case ActTick:
		return "tick"
	}
	return fmt.Sprintf("action(%d)", a.Kind)
}

// ParseAction parses the form printed by [Action.String].
func ParseAction(s string) (Action, error) {
	s = strings.TrimSpace(s)
	verb, rest, _ := strings.Cut(s, " ")
	rest = strings.TrimSpace(rest)
	var a Action
	for k, n := range actionNames {
		if k > 0 && n == verb {
			a.Kind = ActionKind(k)
		}
	}
	switch a.Kind {
	case ActDeliver, ActDrop, ActDuplicate:
		if i := strings.LastIndex(rest, " iss="); i >= 0 && a.Kind == ActDeliver {
			n, err := strconv.Atoi(rest[i+5:])
			if err != nil || n < 0 || n >= MaxSeqSpace {
				return a, fmt.Errorf("action %q: iss must be 0..%d", s, MaxSeqSpace-1)
			}
			a.ISS, rest = Seq(n), rest[:i]
		}
		g, err := ParseSegment(rest)
		if err != nil {
			return a, fmt.Errorf("action %q: %v", s, err)
		}
		a.Seg = g
		return a, nil
	case ActClose:
		side, err := ParseSide(rest)
		a.Side = side
		if err != nil {
			return a, fmt.Errorf("action %q: %v", s, err)
		}
		return a, nil
	case ActConnect:
		f := strings.Fields(rest)
		if len(f) != 2 || !strings.HasPrefix(f[1], "iss=") {
			return a, fmt.Errorf("action %q: want \"%s SIDE iss=N\"", s, verb)
		}
		side, err := ParseSide(f[0])
		if err != nil {
			return a, fmt.Errorf("action %q: %v", s, err)
		}
		n, err := strconv.Atoi(strings.TrimPrefix(f[1], "iss="))
		if err != nil || n < 0 || n >= MaxSeqSpace {
			return a, fmt.Errorf("action %q: iss must be 0..%d", s, MaxSeqSpace-1)
		}
		a.Side, a.ISS = side, Seq(n)
		return a, nil
	case ActTimeout:
		f := strings.Fields(rest)
		if len(f) != 2 {
			return a, fmt.Errorf("action %q: want \"timeout SIDE rtx0|rtx1|tw\"", s)
		}
		side, err := ParseSide(f[0])
		if err != nil {
			return a, fmt.Errorf("action %q: %v", s, err)
		}
		t, err := enumParse(timerNames, "timer", f[1])
		if err != nil {
			return a, fmt.Errorf("action %q: %v", s, err)
		}
		a.Side, a.Timer = side, TimerID(t)
		return a, nil
	case ActTick:
		if rest != "" {
			return a, fmt.Errorf("action %q: tick takes no arguments", s)
		}
		return a, nil
	}
	return a, fmt.Errorf("unknown action %q (want deliver, drop, dup, close, connect, timeout or tick)", s)
}

// Event is what a handler reacts to: a kind of segment, a user call or a
// timer.
type Event uint8

// Events.
const (
	NoEvent Event = iota
	EvSYN
	EvSYNACK
	EvACK
	EvData
	EvFIN
	EvRST
	EvClose
	EvConnect
	EvRtxTimeout
	EvTWTimeout
	EvFinTimeout // the FIN-WAIT-2 timer expires (Config.FinTimeout)
	numEvents
)

var eventNames = []string{"-", "SYN", "SYN-ACK", "ACK", "data", "FIN", "RST", "CLOSE", "CONNECT", "rtx-timeout", "tw-timeout",
	"fin-timeout"}

// String names the event.
func (e Event) String() string { return enumString(eventNames, uint8(e)) }

// AllEvents lists every event but NoEvent.
func AllEvents() []Event {
	out := make([]Event, 0, numEvents-1)
	for e := EvSYN; e < numEvents; e++ {
		out = append(out, e)
	}
	return out
}

// SegmentEvent classifies a segment for handler dispatch and coverage.
func SegmentEvent(g Segment) Event {
	switch {
	case g.Flags.Has(RST):
		return EvRST
	case g.Flags.Has(SYN | ACK):
		return EvSYNACK
	case g.Flags.Has(SYN):
		return EvSYN
	case g.Flags.Has(FIN):
		return EvFIN
	case g.Len > 0:
		return EvData
	}
	return EvACK
}

// Handler identifies the rule that ran: the connection state of the endpoint
// that handled the event, and the event.
type Handler struct {
	State ConnState
	Event Event
}

// String is "TIME-WAIT × FIN".
func (h Handler) String() string { return fmt.Sprintf("%s × %s", h.State, h.Event) }

// Label describes one transition: its action, the handler that ran (zero for
// pure network actions and ticks), what it emitted and what it did.
type Label struct {
	Action  Action
	Handler Handler
	Sent    [2]Segment // emitted copies (age 0), Sent[:NSent]
	NSent   uint8
	Note    string // what the handler did, in words ("ACK, restart TIME-WAIT")
	Mutant  bool   // the configured mutant rule decided this step
}

// Emitted returns the copies this step put on the network.
func (l Label) Emitted() []Segment { return l.Sent[:l.NSent] }

// EmittedRST reports whether this step sent an RST.
func (l Label) EmittedRST() bool {
	for _, g := range l.Emitted() {
		if g.Flags.Has(RST) {
			return true
		}
	}
	return false
}

// String is the action, then what it emitted and did:
// "deliver B>A FIN|ACK ... → A>B ACK seq=2 ack=4 (TIME-WAIT × FIN: ACK, restart TIME-WAIT)".
func (l Label) String() string {
	var b strings.Builder
	b.WriteString(l.Action.String())
	for _, g := range l.Emitted() {
		b.WriteString(" → ")
		b.WriteString(g.String())
	}
	if l.Handler.Event != NoEvent || l.Note != "" {
		b.WriteString(" (")
		if l.Handler.Event != NoEvent {
			b.WriteString(l.Handler.String())
			if l.Note != "" {
				b.WriteString(": ")
			}
		}
		b.WriteString(l.Note)
		if l.Mutant {
			b.WriteString(" [mutant rule]")
		}
		b.WriteString(")")
	}
	return b.String()
}
