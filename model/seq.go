package model

import "fmt"

// SeqSpace is the size of the default sequence-number space. It is large
// enough that one incarnation's numbers (SYN, one data octet, FIN) compare
// unambiguously, and small enough that a new incarnation's numbers can
// collide with an old one's, which is the worst case the model explores.
// Config.SeqSpace chooses another size (the sequence-faithful mode).
const SeqSpace = 8

// MaxSeqSpace is the largest sequence space a configuration may choose: the
// packed copies in flight hold 6-bit sequence numbers.
const MaxSeqSpace = 64

// RcvWnd is the default receive window (RCV.WND) used by the acceptability
// test of RFC 9293 §3.10.7.4, Table 6; Config.Window chooses another.
const RcvWnd = 2

// Seq is a sequence number in a modular space. Its methods compute in the
// default space ([SeqSpace]); [Space] computes in any space.
type Seq uint8

// Add returns s+n modulo [SeqSpace].
func (s Seq) Add(n int) Seq { return Space(SeqSpace).Add(s, n) }

// Sub returns the distance from t up to s, (s−t) modulo [SeqSpace].
func (s Seq) Sub(t Seq) int { return Space(SeqSpace).Sub(s, t) }

// LT reports s < t in sequence-number arithmetic (RFC 9293 §3.4): t is ahead
// of s by less than half the space.
func (s Seq) LT(t Seq) bool { return Space(SeqSpace).LT(s, t) }

// LEQ reports s =< t in sequence-number arithmetic.
func (s Seq) LEQ(t Seq) bool { return s == t || s.LT(t) }

// InWindow reports lo =< s < lo+wnd, the window test of RFC 9293 Table 6.
func (s Seq) InWindow(lo Seq, wnd int) bool { return s.Sub(lo) < wnd }

// String prints the number in decimal.
func (s Seq) String() string { return fmt.Sprintf("%d", uint8(s)) }

// Space is a modular sequence-number space of the given size (a power of
// two, [SeqSpace]..[MaxSeqSpace]); [Model.Space] is the configuration's.
type Space uint8

// Add returns s+n modulo the space.
func (sp Space) Add(s Seq, n int) Seq {
	return Seq(sp.mod(int(s) + n))
}

// Sub returns the distance from t up to s, (s−t) modulo the space.
func (sp Space) Sub(s, t Seq) int {
	return sp.mod(int(s) - int(t))
}

// mod returns x modulo the space, in [0, size). The spaces a configuration
// can choose are powers of two, where that is a mask (two's complement
// makes it right for negative x too) instead of two divisions, which the
// model's hottest paths paid on every sequence comparison.
func (sp Space) mod(x int) int {
	k := int(sp)
	if k > 0 && k&(k-1) == 0 {
		return x & (k - 1)
	}
	return (x%k + k) % k
}

// LT reports s < t in sequence-number arithmetic (RFC 9293 §3.4): t is
// ahead of s by less than half the space.
func (sp Space) LT(s, t Seq) bool {
	d := sp.Sub(t, s)
	return d > 0 && d < int(sp)/2
}

// LEQ reports s =< t in sequence-number arithmetic.
func (sp Space) LEQ(s, t Seq) bool { return s == t || sp.LT(s, t) }

// InWindow reports lo =< s < lo+wnd, the window test of RFC 9293 Table 6.
func (sp Space) InWindow(s, lo Seq, wnd int) bool { return sp.Sub(s, lo) < wnd }

// Acceptable is RFC 9293 §3.10.7.4's acceptability test (Table 6) in this
// space with receive window wnd > 0.
func (sp Space) Acceptable(g Segment, rcvNxt Seq, wnd int) bool {
	n := g.SegLen()
	if n == 0 {
		return sp.InWindow(g.Seq, rcvNxt, wnd)
	}
	return sp.InWindow(g.Seq, rcvNxt, wnd) || sp.InWindow(sp.Add(g.Seq, n-1), rcvNxt, wnd)
}
