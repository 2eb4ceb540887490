package verify

import (
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// ExactGrid returns the grid to explore cfg with when checking props: the
// configured grid when it is set; otherwise 1 for an inclusive lifetime
// (integer ticks are exact for closed bounds) and, for a strict lifetime, the
// largest number of lifetime-bounded hops in a threshold-setting chain of any
// property checked (at least 2). docs/model.md explains why this is exact and
// the convergence tests check it.
func ExactGrid(cfg model.Config, props []properties.Property) int {
	if cfg.Grid != 0 {
		return cfg.Grid
	}
	if cfg.Lifetime == model.Inclusive {
		return 1
	}
	g := 2
	for _, p := range props {
		if p.Hops > g {
			g = p.Hops
		}
	}
	return g
}
