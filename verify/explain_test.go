package verify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// TestExplain: the sweep names the chain of its counterexample — for the
// retransmitted-FIN property at MSL 1, the lost final ACK and the RST.
func TestExplain(t *testing.T) {
	p, _ := properties.ByID("no-rst-on-retransmitted-fin")
	rep, err := Sweep(context.Background(), SweepSpec{Base: model.DefaultConfig(), MSL: []int{1}, Props: []properties.Property{p}}, nil)
	require.NoError(t, err)
	th := rep.Thresholds[0]
	require.Equal(t, Explain(th.Counterexample), th.Sets)
	require.Contains(t, th.Sets, "lost A>B ACK")
	require.Contains(t, th.Sets, "reached A in CLOSED")
	require.Contains(t, th.Sets, "RST")
	require.Empty(t, Explain(nil))
}
