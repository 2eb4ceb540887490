package conformance_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/conformance"
)

// TestDerivedScenarios runs the model-derived scenarios against the kernel,
// each in its own namespace: the kernel, playing the model's A, must emit
// what the model's shortest witness says A emits, and end in its state.
func TestDerivedScenarios(t *testing.T) {
	skipUnlessAvailable(t)
	for _, q := range conformance.DerivedQueries() {
		t.Run(q.Name, func(t *testing.T) {
			t.Parallel()
			s, _, err := conformance.Derive(context.Background(), q)
			require.NoError(t, err)
			rep := run(t, s)
			out := text(t, rep)
			t.Log("\n" + out)
			require.Equal(t, conformance.Conforms, rep.Verdict.Outcome, out)
			require.Len(t, rep.Steps, len(s.Steps), out)
		})
	}
}
