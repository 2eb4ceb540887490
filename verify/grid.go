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
	g := 2
	if cfg.Lifetime == model.Inclusive {
		g = 1
	}
	for _, p := range props {
		if p.Hops > g && cfg.Lifetime != model.Inclusive {
			g = p.Hops
		}
	}
	// An ISN clock of R numbers per tick reads every number only on a grid
	// of at least R sub-ticks per tick; a coarser grid would make it skip
	// ISSs (model.Config.EffectiveGrid).
	return max(g, cfg.ISNClock)
}
