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
			require.Equal(t, "connect", s.Steps[0].App)
			last := s.Steps[len(s.Steps)-2]
			require.NotEmpty(t, last.State, "ends on A's state")
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

// TestDeriveRefusesLaterIncarnations checks that a witness needing a second
// incarnation is refused with the reason, not compiled with made-up numbers.
func TestDeriveRefusesLaterIncarnations(t *testing.T) {
	q := conformance.Query{Name: "derived-reuse", Config: model.DefaultConfig(), Target: "stale-segment-rejected"}
	_, _, err := conformance.Derive(context.Background(), q)
	require.ErrorContains(t, err, "first incarnation only")
	_, _, err = conformance.Derive(context.Background(), conformance.Query{Name: "x", Config: model.DefaultConfig(), Target: "no-such"})
	require.ErrorContains(t, err, "unknown target")
}
