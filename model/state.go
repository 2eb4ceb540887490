package model

import (
	"fmt"
	"strings"
)

// ErrCode marks a state the model could not represent faithfully.
type ErrCode uint8

// Model errors.
const (
	NoErr       ErrCode = iota
	ErrOverflow         // more than MaxInFlight copies would be in flight
)

// State is one global state: both endpoints, the network, the fault budgets
// and the ghost history. It is comparable and canonical.
type State struct {
	Ends      [2]Endpoint
	Net       Network
	LossLeft  uint8    // drops the network may still make
	DupLeft   uint8    // duplications the network may still make
	Phase     uint8    // deliveries-first only: 1 once a timer has fired at this instant
	TWEntered [2]uint8 // ghost: bit n set when that side entered TIME-WAIT in incarnation n
	Err       ErrCode
	// Clock is each side's ISN clock under Config.ISNClock, in 1/grid
	// sequence numbers modulo SeqSpace·grid: the ISS it would choose now
	// is Clock/grid. It is 0 once the side can choose no further ISS.
	Clock [2]uint16
}

var _ = map[State]struct{}{} // State must stay comparable.

// EnteredTimeWait reports whether side entered TIME-WAIT in incarnation inc.
func (s State) EnteredTimeWait(side Side, inc uint8) bool {
	return inc < 8 && s.TWEntered[side]&(1<<inc) != 0
}

// String is a one-line summary: both endpoints and the copies in flight.
func (s State) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "A[%s] B[%s] net{", s.Ends[A], s.Ends[B])
	for i := 0; i < s.Net.Len(); i++ {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(s.Net.At(i).String())
	}
	fmt.Fprintf(&b, "} loss=%d dup=%d", s.LossLeft, s.DupLeft)
	if s.Clock != [2]uint16{} {
		fmt.Fprintf(&b, " clock=%d,%d", s.Clock[A], s.Clock[B])
	}
	if s.Phase != 0 {
		b.WriteString(" timers-fired")
	}
	if s.Err != NoErr {
		b.WriteString(" ERROR:" + s.Err.String())
	}
	return b.String()
}
