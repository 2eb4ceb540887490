package model

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSeqArithmetic(t *testing.T) {
	for _, c := range []struct {
		a, b     Seq
		lt, leq  bool
		distance int
	}{
		{0, 1, true, true, 1},
		{1, 0, false, false, 7},
		{7, 0, true, true, 1}, // wraps
		{6, 1, true, true, 3},
		{0, 4, false, false, 4}, // half the space apart: neither is before the other
		{3, 3, false, true, 0},
	} {
		require.Equal(t, c.lt, c.a.LT(c.b), "%d < %d", c.a, c.b)
		require.Equal(t, c.leq, c.a.LEQ(c.b), "%d =< %d", c.a, c.b)
		require.Equal(t, c.distance, c.b.Sub(c.a), "%d - %d", c.b, c.a)
	}
	require.Equal(t, Seq(1), Seq(7).Add(2))
	require.Equal(t, Seq(6), Seq(1).Add(-3))
}

// TestAcceptability is RFC 9293 §3.10.7.4 Table 6 with RCV.WND = 2 > 0.
func TestAcceptability(t *testing.T) {
	for _, c := range []struct {
		name string
		seg  Segment
		rcv  Seq
		want bool
	}{
		{"len 0 at RCV.NXT", Segment{Flags: ACK, Seq: 3}, 3, true},
		{"len 0 inside window", Segment{Flags: ACK, Seq: 4}, 3, true},
		{"len 0 past window", Segment{Flags: ACK, Seq: 5}, 3, false},
		{"len 0 below RCV.NXT", Segment{Flags: ACK, Seq: 2}, 3, false},
		{"FIN retransmitted (seq = RCV.NXT-1)", Segment{Flags: FIN | ACK, Seq: 2}, 3, false},
		{"FIN at RCV.NXT", Segment{Flags: FIN | ACK, Seq: 3}, 3, true},
		{"data last octet in window", Segment{Flags: FIN | ACK, Len: 1, Seq: 2}, 3, true},
		{"SYN below window", Segment{Flags: SYN, Seq: 0}, 3, false},
	} {
		require.Equal(t, c.want, Acceptable(c.seg, c.rcv), c.name)
	}
}

// TestSpaceModMatchesDivision checks Space's arithmetic against the
// definition by division, ((x mod k) + k) mod k, for every space size up to
// 64 (the powers of two take a mask, the others divide), numbers beyond the
// space and offsets of either sign.
func TestSpaceModMatchesDivision(t *testing.T) {
	for k := 1; k <= MaxSeqSpace; k++ {
		sp := Space(k)
		for s := 0; s < 2*k && s < 256; s++ {
			for n := -3 * k; n <= 3*k; n++ {
				require.Equal(t, Seq(((s+n)%k+k)%k), sp.Add(Seq(s), n), "Space(%d).Add(%d, %d)", k, s, n)
			}
			for u := 0; u < 2*k && u < 256; u++ {
				require.Equal(t, ((s-u)%k+k)%k, sp.Sub(Seq(s), Seq(u)), "Space(%d).Sub(%d, %d)", k, s, u)
			}
		}
	}
}
