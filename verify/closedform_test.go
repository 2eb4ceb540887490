package verify

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// closedForm is docs/model.md, "Thresholds as closed forms", as code: the
// smallest safe TIME-WAIT (ticks) of a property for a configuration, or -1
// when no TIME-WAIT is safe. M = MSL, R = RTO, b = backoff, L = loss,
// N = retries, D = dup; f(k) = R·(b^k−1)/(b−1) is the send time of the k-th
// FIN retransmission after the first FIN.
func closedForm(c model.Config, id string) int {
	M, R, b, L, N, D := c.MSL, c.EffectiveRTO(), c.Backoff, c.Loss, c.Retries, c.Dup
	f := func(k int) int {
		s, d := 0, R
		for i := 0; i < k; i++ {
			s, d = s+d, d*b
		}
		return s
	}
	// With --data-unacked, B's FIN can overtake its data; without a
	// reassembly queue A drops it, so TIME-WAIT can begin only with the first
	// retransmission: every chain starts at f(1) instead of f(0).
	o := 0
	if c.DataUnacked && N >= 1 {
		o = 1
	}
	// Slow-ACK chain: TIME-WAIT (re)starts at T on a FIN copy sent at f(j)
	// (j earlier copies or their ACKs lost); its ACK takes almost M, so the
	// next retransmission f(j+1) goes out just before it lands, and lives
	// almost M more. It exists when f(j+1)−f(j) < 2M.
	slow := 0
	for j := o; j <= min(L+o, N-1); j++ {
		if d := f(j+1) - f(j); d < 2*M {
			slow = max(slow, M+min(M, d))
		}
	}
	// Lost-ACK chain: TIME-WAIT starts as the first FIN arrives; its ACK and
	// the next L'−1 FIN copies are lost; copy f(L') arrives almost M after it
	// was sent.
	lost := 0
	if lp := min(L, N-o); lp >= 1 {
		lost = f(o+lp) - f(o) + M
	}
	// Duplicate chain: a network duplicate of the FIN (or of the final ACK)
	// arrives almost M after the original.
	dup := 0
	if D >= 1 {
		dup = M
	}
	gap := 0
	switch id {
	case "no-rst-on-retransmitted-fin":
		gap = max(slow, lost, dup)
	case "no-stale-segment-accepted":
		gap = slow
		if D >= 1 {
			gap = max(gap, lost, dup) // the duplicate of the late FIN reaches the new incarnation
		}
		// Old ACK through TIME-WAIT, two hops: B's ACK of A's FIN reaches
		// TIME-WAIT almost M after it began; TIME-WAIT's ACK reaches the new
		// incarnation's SYN-RECEIVED almost M later. R-ACK restarts
		// TIME-WAIT on the first hop.
		if c.TWRestart == model.RestartOnFIN {
			gap = max(gap, 2*M)
		} else {
			gap = max(gap, M)
		}
	case "no-stale-reset":
		// Three hops: an old ACK of A's FIN reaches TIME-WAIT almost M
		// after TIME-WAIT began, TIME-WAIT's ACK reaches the listener, the
		// listener's RST reaches the new incarnation. Restarting on ACKs
		// (R-ACK) restarts TIME-WAIT on the first hop and removes it.
		gap = max(slow, lost)
		if c.TWRestart == model.RestartOnFIN {
			gap = max(gap, 3*M)
		} else {
			gap = max(gap, 2*M)
		}
	}
	if c.TWRst == model.RstClose {
		return -1 // TIME-WAIT assassination: an old duplicate ends TIME-WAIT early, whatever its length
	}
	if c.Lifetime == model.Inclusive && c.SameInstant == model.AnyOrder {
		return gap + 1 // the chain's last arrival may coincide with the expiry, which may go first
	}
	return gap
}

type formCase struct {
	name string
	edit func(*model.Config)
}

// formGrid is the grid of configurations the sweep is checked on.
var formGrid = []formCase{
	{"default", func(*model.Config) {}},
	{"deliveries-first", func(c *model.Config) { c.SameInstant = model.DeliveriesFirst }},
	{"close-order a-first", func(c *model.Config) { c.CloseOrder = model.AFirst }},
	{"close-order any", func(c *model.Config) { c.CloseOrder = model.AnyFirst }},
	{"tw-restart ack", func(c *model.Config) { c.TWRestart = model.RestartOnACK }},
	{"rtx rfc6298", func(c *model.Config) { c.Rtx = model.RFC6298 }},
	{"data-unacked", func(c *model.Config) { c.DataUnacked = true }},
	{"loss 0", func(c *model.Config) { c.Loss = 0 }},
	{"loss 2", func(c *model.Config) { c.Loss = 2 }},
	{"backoff 1", func(c *model.Config) { c.Backoff = 1 }},
	{"rto 2", func(c *model.Config) { c.RTO = 2 }},
	{"dup 0", func(c *model.Config) { c.Dup = 0 }},
	{"inclusive", func(c *model.Config) { c.Lifetime = model.Inclusive }},
	{"inclusive deliveries-first", func(c *model.Config) {
		c.Lifetime, c.SameInstant = model.Inclusive, model.DeliveriesFirst
	}},
	{"loss 2 backoff 1", func(c *model.Config) { c.Loss, c.Backoff = 2, 1 }},
	{"tw-rst close", func(c *model.Config) { c.TWRst = model.RstClose }},
	{"rto 2 loss 0", func(c *model.Config) { c.RTO, c.Loss = 2, 0 }},
	{"rto 3 loss 1", func(c *model.Config) { c.RTO = 3 }},
	{"rto 3 loss 0 dup 0", func(c *model.Config) { c.RTO, c.Loss, c.Dup = 3, 0, 0 }},
	{"rto 3 loss 0 dup 0 tw-restart ack", func(c *model.Config) {
		c.RTO, c.Loss, c.Dup, c.TWRestart = 3, 0, 0, model.RestartOnACK
	}},
}

func thresholdOf(t *testing.T, cfg model.Config, p properties.Property) int {
	t.Helper()
	spec := SweepSpec{Base: cfg, MSL: []int{cfg.MSL}, Props: []properties.Property{p}}
	rep, err := Sweep(context.Background(), spec, nil)
	require.NoError(t, err)
	require.Len(t, rep.Thresholds, 1)
	th := rep.Thresholds[0]
	if th.MinTW == nil {
		require.Contains(t, th.Reason, "violated at the largest tw", th.Reason)
		return -1
	}
	if *th.MinTW > 0 {
		require.NotNil(t, th.Counterexample, "a counterexample just below the threshold")
	}
	return *th.MinTW
}

// TestSweepMatchesClosedForms checks the model's thresholds against the
// closed forms for the two TIME-WAIT properties at MSL = 1 over a grid of
// options (MSL = 2 for the default in the full suite).
func TestSweepMatchesClosedForms(t *testing.T) {
	cases := formGrid
	if testing.Short() {
		cases = cases[:1]
	}
	for _, id := range []string{"no-rst-on-retransmitted-fin", "no-stale-segment-accepted"} {
		p, _ := properties.ByID(id)
		for _, c := range cases {
			msls := []int{1}
			if c.name == "default" && !testing.Short() {
				msls = append(msls, 2)
			}
			for _, msl := range msls {
				t.Run(fmt.Sprintf("%s/msl=%d/%s", id, msl, c.name), func(t *testing.T) {
					cfg := model.DefaultConfig()
					cfg.MSL = msl
					c.edit(&cfg)
					require.Equal(t, closedForm(cfg, id), thresholdOf(t, cfg, p))
				})
			}
		}
	}
}
