package conformance_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/conformance"
	"github.com/timewait/timewait/model"
)

// TestDeriveCompiles checks, without a kernel, that every committed query
// has a witness that compiles into a valid script: one that connects, plays
// the peer's copies with numbers relative to p and the kernel's with k, and
// ends on A's final state.
func TestDeriveCompiles(t *testing.T) {
	for _, q := range conformance.DerivedQueries() {
		t.Run(q.Name, func(t *testing.T) {
			s, path, err := conformance.Derive(context.Background(), q)
			require.NoError(t, err)
			require.NoError(t, s.Validate())
			require.NotNil(t, path)
			first := map[model.Side]string{model.A: "connect", model.B: "listen"}[q.Kernel]
			require.Equal(t, first, s.Steps[0].App)
			// It ends on the kernel's final state in the witness.
			final := map[model.ConnState]string{model.Closed: "GONE", model.FinWait2: "FIN_WAIT2",
				model.TimeWait: "TIME_WAIT", model.Closing: "CLOSING", model.LastAck: "LAST_ACK",
				model.SynReceived: "SYN_RECV"}[path.Last().Ends[q.Kernel].St]
			require.NotEmpty(t, final, "a final state this test knows: %s", path.Last().Ends[q.Kernel].St)
			require.Equal(t, final, s.Steps[len(s.Steps)-2].State)
			var sends, expects int
			for _, st := range s.Steps {
				if st.Send != "" {
					sends++
				}
				if len(st.Expect) > 0 {
					expects++
					require.True(t, strings.Contains(st.Expect[0], "seq=k"), st.Expect[0])
				}
			}
			require.Positive(t, sends)
			require.GreaterOrEqual(t, expects, 3, "the handshake's and the close's kernel segments at least")
		})
	}
}

// TestDeriveRefuses checks that a witness the compiler cannot play is
// refused with the reason, not compiled with made-up numbers: the kernel's
// side (A) would have to connect a second incarnation, or to wait out its
// 60 s TIME-WAIT first.
func TestDeriveRefuses(t *testing.T) {
	lossless := model.DefaultConfig()
	lossless.Loss, lossless.Dup = 0, 0
	q := conformance.Query{Name: "derived-reconnect", Variant: "so-linger-zero", Config: lossless, Target: "a-second-incarnation"}
	_, _, err := conformance.Derive(context.Background(), q)
	require.ErrorContains(t, err, "the kernel's side connects a new incarnation")
	q.Variant = ""
	_, _, err = conformance.Derive(context.Background(), q)
	require.ErrorContains(t, err, "needs the kernel's TIME-WAIT to expire")
	// The shortest run to B's second connection completes its handshake
	// with A's first connection's late ACK, whose numbers match only in
	// the model's small space: the kernel's new ISS is random.
	q = conformance.Query{Name: "derived-reconnect", Variant: "so-linger-zero", Kernel: model.B, Target: "b-second-connection"}
	q.Config, q.Config.Incarnations = lossless, 2
	_, _, err = conformance.Derive(context.Background(), q)
	require.ErrorContains(t, err, "whose ISS the kernel chose at random")
	_, _, err = conformance.Derive(context.Background(), conformance.Query{Name: "x", Config: model.DefaultConfig(), Target: "no-such"})
	require.ErrorContains(t, err, "unknown target")
}

// TestDeriveLaterIncarnationNumbers pins how a second incarnation's numbers
// are compiled: the peer's new SYN above or below the kernel's RCV.NXT as
// the model places it, and, under the linux variant, the kernel's new ISS
// as Linux's tw_snd_nxt + 65537 (here k+3+65537), not a fresh variable;
// with timestamps, the new SYN's TSval is newer than the old
// incarnation's segments of the same sub-tick.
func TestDeriveLaterIncarnationNumbers(t *testing.T) {
	byName := map[string]conformance.Query{}
	for _, q := range conformance.DerivedQueries() {
		byName[q.Name] = q
	}
	cases := []struct {
		query string
		syn   string   // the peer's new SYN
		reply []string // the kernel's expected answer
		final string
	}{
		{"derived-syn-higher-in-time-wait", "SYN seq=p+3 ts=1040,0", []string{"SYN|ACK seq=k+65540 ack=p+4"}, "SYN_RECV"},
		{"derived-syn-lower-newer-ts-in-time-wait", "SYN seq=p ts=1040,0", []string{"SYN|ACK seq=k+65540 ack=p+1"}, "SYN_RECV"},
		{"derived-syn-lower-in-time-wait", "SYN seq=p", []string{"ACK seq=k+3 ack=p+2"}, "TIME_WAIT"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			q, ok := byName[c.query]
			require.True(t, ok)
			s, _, err := conformance.Derive(context.Background(), q)
			require.NoError(t, err)
			i := len(s.Steps) - 4 // send SYN, expect, state, silence
			require.Equal(t, c.syn, s.Steps[i].Send)
			require.Equal(t, c.reply, s.Steps[i+1].Expect)
			require.Equal(t, c.final, s.Steps[i+2].State)
		})
	}
	// Without the Linux rule the kernel's new ISS is a new variable, bound
	// by its SYN-ACK.
	q := byName["derived-syn-higher-in-time-wait"]
	q.Variant = "rfc1122-syn-in-timewait"
	s, _, err := conformance.Derive(context.Background(), q)
	require.NoError(t, err)
	require.Regexp(t, `^SYN\|ACK seq=k2 ack=p\+\d+$`, s.Steps[len(s.Steps)-3].Expect[0])
}

// TestDeriveNoData: under Config.NoData the kernel, as B, writes nothing
// before the close: the prelude ends at ESTABLISHED.
func TestDeriveNoData(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.Loss, cfg.Dup, cfg.NoData, cfg.Incarnations, cfg.CloseOrder = 0, 0, true, 1, model.AnyFirst
	for _, noData := range []bool{true, false} {
		q := conformance.Query{Name: "derived-no-data", Kernel: model.B, Config: cfg, Target: "a-time-wait"}
		q.Config.NoData = noData
		s, _, err := conformance.Derive(context.Background(), q)
		require.NoError(t, err)
		require.NoError(t, s.Validate())
		writes := 0
		for _, st := range s.Steps {
			if strings.HasPrefix(st.App, "write") {
				writes++
			}
		}
		if noData {
			require.Zero(t, writes, "no data to write")
		} else {
			require.Equal(t, 1, writes, "B's data octet")
		}
	}
}
