package conformance

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func alts(t *testing.T, texts ...string) [][]segSpec {
	t.Helper()
	var out [][]segSpec
	for _, a := range texts {
		st := Step{Expect: []string{a}}
		c, err := compileExpect(st, map[string]bool{})
		require.NoError(t, err)
		out = append(out, c.alts[0])
	}
	return out
}

func TestMatcher(t *testing.T) {
	ep := testEndpoints()
	b := Bindings{"p": 1000, "k": 50}
	kseg := func(f Flags, seq, ack uint32) Segment {
		return Segment{Src: ep.kernel, Dst: ep.peer, Flags: f, Seq: seq, Ack: ack}
	}
	piggy := []string{"FIN|ACK seq=k+1 ack=p+2", "ACK seq=k+1 ack=p+2; FIN|ACK seq=k+1 ack=p+2"}
	type feed struct {
		seg  Segment
		want feedKind
	}
	cases := []struct {
		name  string
		alts  []string
		feeds []feed
		alt   int    // for a final feedDone
		why   string // for a final feedMismatch
	}{
		{"piggybacked FIN|ACK", piggy, []feed{{kseg(FIN|ACK, 51, 1002), feedDone}}, 0, ""},
		{"separate ACK then FIN", piggy, []feed{{kseg(ACK, 51, 1002), feedProgress}, {kseg(FIN|ACK, 51, 1002), feedDone}}, 1, ""},
		{"the ACK retransmitted before the FIN is folded", piggy, []feed{
			{kseg(ACK, 51, 1002), feedProgress}, {kseg(ACK, 51, 1002), feedFolded}, {kseg(FIN|ACK, 51, 1002), feedDone}}, 1, ""},
		{"FIN that does not ack the peer's FIN", piggy, []feed{{kseg(FIN|ACK, 51, 1001), feedMismatch}}, 0,
			"ack p+1, want p+2; flags FIN|ACK, want ACK"},
		{"ACK then RST", piggy, []feed{{kseg(ACK, 51, 1002), feedProgress}, {kseg(RST, 51, 0), feedMismatch}}, 0,
			"flags RST, want FIN|ACK"},
		{"a prefix alternative wins when complete", []string{"ACK", "ACK; FIN|ACK"}, []feed{{kseg(ACK, 1, 1), feedDone}}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMatcher(alts(t, c.alts...), b, ep)
			var res feedResult
			for i, f := range c.feeds {
				res = m.feed(f.seg)
				require.Equal(t, f.want, res.kind, "feed %d", i)
			}
			switch res.kind {
			case feedDone:
				require.Equal(t, c.alt, res.alt)
				require.Equal(t, b, res.bindings)
			case feedMismatch:
				require.Equal(t, c.why, res.reason)
			}
		})
	}
}

func TestMatcherBindsAndReportsProgress(t *testing.T) {
	ep := testEndpoints()
	m := newMatcher(alts(t, "SYN|ACK seq=k ack=p+1; ACK seq=k+1 ack=p+1"), Bindings{"p": 1000}, ep)
	require.Equal(t, "nothing more", m.furthest())
	res := m.feed(Segment{Src: ep.kernel, Dst: ep.peer, Flags: SYN | ACK, Seq: 9, Ack: 1001})
	require.Equal(t, feedProgress, res.kind)
	require.Equal(t, "only 1 of its 2 segments", m.furthest())
	res = m.feed(Segment{Src: ep.kernel, Dst: ep.peer, Flags: ACK, Seq: 11, Ack: 1001})
	require.Equal(t, feedMismatch, res.kind)
	require.Equal(t, "seq k+2, want k+1", res.reason, "k is bound to 9 by the first segment")
}

func TestExpectedText(t *testing.T) {
	require.Equal(t, "ACK seq=k", expectedText(alts(t, "ACK  seq=k")))
	require.Equal(t, "one of {FIN} or {ACK; FIN}", expectedText(alts(t, "FIN", "ACK ;FIN")))
}
