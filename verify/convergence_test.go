package verify

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// TestGridConvergence shows that the default grid is exact: for each
// property, the threshold on its default grid (its Hops for a strict
// lifetime, 1 for an inclusive one) equals the threshold on a finer grid and
// the closed form; and a grid below Hops under-reports no-stale-reset, whose
// chain has three hops.
func TestGridConvergence(t *testing.T) {
	for _, p := range properties.Safety() {
		for _, lifetime := range []model.Lifetime{model.Strict, model.Inclusive} {
			t.Run(fmt.Sprintf("%s/%s", p.ID, lifetime), func(t *testing.T) {
				cfg := model.DefaultConfig()
				cfg.MSL, cfg.Lifetime = 1, lifetime
				g := ExactGrid(cfg, []properties.Property{p})
				if lifetime == model.Inclusive {
					require.Equal(t, 1, g)
				} else {
					require.Equal(t, max(2, p.Hops), g)
				}
				if testing.Short() && (p.Hops > 2 || lifetime == model.Inclusive) {
					t.Skip("-short: finer grids are checked in the full suite")
				}
				cfg.Grid = g
				exact := thresholdOf(t, cfg, p)
				if lifetime == model.Strict {
					require.Equal(t, closedForm(cfg, p.ID), exact, "closed form")
				}
				cfg.Grid = g + 1
				require.Equal(t, exact, thresholdOf(t, cfg, p), "grid %d vs %d", g, g+1)
				if lifetime == model.Strict && p.Hops > 2 {
					cfg.Grid = p.Hops - 1
					require.Less(t, thresholdOf(t, cfg, p), exact, "a grid below the hop count under-reports")
				}
			})
		}
	}
}
