package model

import "fmt"

// SeqSpace is the size of the model's modular sequence-number space. It is
// large enough that one incarnation's numbers (SYN, one data octet, FIN)
// compare unambiguously, and small enough that a new incarnation's numbers can
// collide with an old one's, which is the worst case the model explores.
const SeqSpace = 8

// RcvWnd is the receive window (RCV.WND) used by the acceptability test of
// RFC 9293 §3.10.7.4, Table 6.
const RcvWnd = 2

// Seq is a sequence number modulo [SeqSpace].
type Seq uint8

// Add returns s+n modulo [SeqSpace].
func (s Seq) Add(n int) Seq {
	return Seq(((int(s)+n)%SeqSpace + SeqSpace) % SeqSpace)
}

// Sub returns the distance from t up to s, (s−t) modulo [SeqSpace].
func (s Seq) Sub(t Seq) int {
	return ((int(s)-int(t))%SeqSpace + SeqSpace) % SeqSpace
}

// LT reports s < t in sequence-number arithmetic (RFC 9293 §3.4): t is ahead
// of s by less than half the space.
func (s Seq) LT(t Seq) bool {
	d := t.Sub(s)
	return d > 0 && d < SeqSpace/2
}

// LEQ reports s =< t in sequence-number arithmetic.
func (s Seq) LEQ(t Seq) bool { return s == t || s.LT(t) }

// InWindow reports lo =< s < lo+wnd, the window test of RFC 9293 Table 6.
func (s Seq) InWindow(lo Seq, wnd int) bool { return s.Sub(lo) < wnd }

// String prints the number in decimal.
func (s Seq) String() string { return fmt.Sprintf("%d", uint8(s)) }
