package model

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func genSegment() *rapid.Generator[Segment] {
	return rapid.Custom(func(t *rapid.T) Segment {
		g := Segment{
			Src:    Side(rapid.IntRange(0, 1).Draw(t, "src")),
			Flags:  Flags(rapid.IntRange(0, 15).Draw(t, "flags")),
			Len:    uint8(rapid.IntRange(0, 3).Draw(t, "len")),
			Seq:    Seq(rapid.IntRange(0, MaxSeqSpace-1).Draw(t, "seq")),
			Age:    uint8(rapid.IntRange(0, 255).Draw(t, "age")),
			Inc:    uint8(rapid.IntRange(0, 7).Draw(t, "inc")),
			Orphan: rapid.Bool().Draw(t, "orphan"),
			Rtx:    rapid.Bool().Draw(t, "rtx"),
		}
		if g.Flags.Has(ACK) {
			g.Ack = Seq(rapid.IntRange(0, MaxSeqSpace-1).Draw(t, "ack"))
		}
		return g
	})
}

func TestSegmentRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := genSegment().Draw(t, "seg")
		back, err := ParseSegment(g.String())
		require.NoError(t, err)
		require.Equal(t, g, back)
		require.Equal(t, g, unpack(g.pack()))
	})
}

func TestActionRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := Action{Kind: ActionKind(rapid.IntRange(int(ActDeliver), int(ActTick)).Draw(t, "kind"))}
		switch a.Kind {
		case ActDeliver, ActDrop, ActDuplicate:
			a.Seg = genSegment().Draw(t, "seg")
			if a.Kind == ActDeliver {
				a.ISS = Seq(rapid.IntRange(0, MaxSeqSpace-1).Draw(t, "iss"))
			}
		case ActClose:
			a.Side = Side(rapid.IntRange(0, 1).Draw(t, "side"))
		case ActConnect:
			a.Side, a.ISS = A, Seq(rapid.IntRange(0, SeqSpace-1).Draw(t, "iss"))
		case ActTimeout:
			a.Side = Side(rapid.IntRange(0, 1).Draw(t, "side"))
			a.Timer = TimerID(rapid.IntRange(0, 2).Draw(t, "timer"))
		}
		back, err := ParseAction(a.String())
		require.NoError(t, err, a.String())
		require.Equal(t, a, back)
	})
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{
		"", "jump", "tick now", "close C", "connect A", "connect A iss=64", "timeout A rtx7",
		"deliver", "deliver A>A ACK seq=1 ack=1", "deliver A>B BOGUS seq=1", "deliver A>B ACK seq=1",
		"deliver A>B SYN seq=1 ack=2", "deliver A>B SYN seq=64", "deliver A>B SYN seq=1 len=4", "deliver A>B SYN seq=1 seq=2",
		"deliver A>B SYN seq=1 inc=9", "deliver A>B SYN seq=x", "deliver A>B SYN seq=1 iss=64",
	} {
		_, err := ParseAction(s)
		require.Error(t, err, "%q", s)
		require.NotContains(t, err.Error(), "\n")
	}
}
