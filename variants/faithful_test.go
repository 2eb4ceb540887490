package variants_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/variants"
	"github.com/timewait/timewait/verify"
)

// base is the configuration of docs/variants.md's results table: MSL 1,
// TW 2, loss 1, no duplication.
func base() model.Config {
	c := model.DefaultConfig()
	c.MSL, c.TW, c.Dup = 1, 2, 0
	return c
}

// apply returns the named variant applied to c.
func apply(t *testing.T, name string, c model.Config) model.Config {
	t.Helper()
	v, err := variants.Lookup(name)
	require.NoError(t, err)
	require.NoError(t, v.Check(c))
	return v.Apply(c)
}

// labels joins the labels of a path, one per line.
func labels(p *verify.Path) string {
	var b strings.Builder
	for _, st := range p.Steps {
		b.WriteString(st.Label.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// counterexample checks one property of cfg, requires it violated and
// returns its shortest counterexample's labels.
func counterexample(t *testing.T, cfg model.Config, id string) string {
	t.Helper()
	ps, err := properties.Lookup([]string{id})
	require.NoError(t, err)
	rep, err := verify.Check(context.Background(), cfg, ps, verify.Options{StopEarly: true, NoWitnesses: true})
	require.NoError(t, err)
	o, ok := rep.Outcome(id)
	require.True(t, ok)
	require.Equal(t, checker.Violated, o.Verdict, "%s", id)
	return labels(o.Path)
}

// distinguish runs the product search of a and b and returns the last step
// of each (the step where they part).
func distinguish(t *testing.T, a, b model.Config) [2]string {
	t.Helper()
	cmp, err := verify.Distinguish(context.Background(), a, b, properties.Safety(), 0)
	require.NoError(t, err)
	require.NotNil(t, cmp.Divergence, "the two must be distinguishable")
	return cmp.Divergence.Last
}

// TestFaithfulVariantDifferences pins, for every new variant whose verdict
// differs from the default rules', the difference: the shortest
// distinguishing run against the default (or against the variant it
// extends), and the counterexample that shows why a verdict changes.
func TestFaithfulVariantDifferences(t *testing.T) {
	ctx := context.Background()
	t.Run("paws: the first difference is PAWS dropping a reordered older ACK", func(t *testing.T) {
		last := distinguish(t, base(), apply(t, "paws", base()))
		require.True(t, strings.HasPrefix(last[0], "deliver "), last[0])
		require.NotContains(t, last[0], "PAWS")
		require.Contains(t, last[1], "PAWS: ACK, drop")
	})
	t.Run("linux: an RST at exactly RCV.NXT assassinates TIME-WAIT", func(t *testing.T) {
		cex := counterexample(t, apply(t, "linux", base()), "no-rst-on-retransmitted-fin")
		require.Contains(t, cex, "RST at RCV.NXT kills TIME-WAIT (tcp_rfc1337=0)")
		// Against linux-rfc1337 the two part just after it: only linux's
		// A, its TIME-WAIT gone, may connect again.
		last := distinguish(t, apply(t, "linux-rfc1337", base()), apply(t, "linux", base()))
		require.Equal(t, "not enabled", last[0])
		require.True(t, strings.HasPrefix(last[1], "connect A"), last[1])
	})
	t.Run("linux-rfc1337: restarts on ACK keep TIME-WAIT up through the stale exchange", func(t *testing.T) {
		def := counterexample(t, base(), "no-stale-reset")
		require.Contains(t, def, "TIME-WAIT expires")
		rep, err := verify.Check(ctx, apply(t, "linux-rfc1337", base()), properties.Safety(), verify.Options{})
		require.NoError(t, err)
		for _, p := range properties.Safety() {
			o, _ := rep.Outcome(p.ID)
			require.True(t, o.Holds, "%s holds under linux-rfc1337 at MSL 1 (30 s) with 60 s of TIME-WAIT", p.ID)
		}
		last := distinguish(t, base(), apply(t, "linux-rfc1337", base()))
		require.Contains(t, last[1], "PAWS: ACK, drop")
	})
	t.Run("rfc6191: reopening on a newer timestamp gives up the retransmitted-FIN guarantee", func(t *testing.T) {
		bthena := base()
		bthena.CloseOrder = model.BThenA
		cex := counterexample(t, apply(t, "rfc6191", base()), "no-rst-on-retransmitted-fin")
		require.Contains(t, cex, "SYN reopens the connection from TIME-WAIT (rfc6191)")
		last := distinguish(t, bthena, apply(t, "rfc6191", base()))
		require.NotEqual(t, last[0], last[1])
	})
	t.Run("rfc1122: the SYN above RCV.NXT is where it parts from RFC 9293", func(t *testing.T) {
		bthena := base()
		bthena.CloseOrder = model.BThenA
		last := distinguish(t, bthena, apply(t, "rfc1122-syn-in-timewait", base()))
		require.Contains(t, last[0], "TIME-WAIT × SYN: SYN: challenge ACK")
		require.Equal(t, "not enabled", last[1], "rfc1122 takes that SYN only with an ISS for the reopened connection")
	})
	t.Run("linux-tw-reuse: the connect over TIME-WAIT", func(t *testing.T) {
		last := distinguish(t, apply(t, "linux", base()), apply(t, "linux-tw-reuse", base()))
		require.Equal(t, "not enabled", last[0])
		require.Contains(t, last[1], "take over TIME-WAIT (tcp_tw_reuse)")
	})
	t.Run("linux-tw-recycle: a TIME-WAIT shorter than 2·MSL answers a retransmitted FIN with an RST", func(t *testing.T) {
		cex := counterexample(t, apply(t, "linux-tw-recycle", base()), "no-rst-on-retransmitted-fin")
		require.Contains(t, cex, "TIME-WAIT expires: CLOSED")
		last := distinguish(t, apply(t, "linux", base()), apply(t, "linux-tw-recycle", base()))
		require.NotEqual(t, last[0], last[1])
	})
}

// TestLinuxRetriesBound: the Linux variants refuse retransmission counts
// their one-tick RTO cannot model.
func TestLinuxRetriesBound(t *testing.T) {
	v, err := variants.Lookup("linux")
	require.NoError(t, err)
	c := base()
	c.Retries = 5
	require.ErrorContains(t, v.Check(c), "--retries must be 0..4")
	c.Retries = 4
	require.NoError(t, v.Check(c))
}
