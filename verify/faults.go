package verify

import (
	"context"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// FaultSearch is the result of [FewestFaults].
type FaultSearch struct {
	Config     model.Config // resolved, as for Check
	Path       *Path        // nil when the target is unreachable (or the search stopped first)
	Faults     int          // the path's faults (model.Faults summed)
	States     int
	Complete   bool
	StopReason string
}

// FewestFaults finds the run to p's target (a violation of a safety
// property, a witness of a reachability one) that needs the fewest network
// faults — drops, duplications and inversions of send order, as counted by
// [model.Faults] — and, among those, the fewest steps. The grid is resolved
// as by [Check]. maxStates (0 = unbounded) bounds the search.
func FewestFaults(ctx context.Context, cfg model.Config, p properties.Property, maxStates int) (FaultSearch, error) {
	cfg.Grid = ExactGrid(cfg, []properties.Property{p})
	m, err := model.New(cfg)
	if err != nil {
		return FaultSearch{}, err
	}
	cp := checker.Property[model.State, model.Label]{Name: p.ID, Kind: checker.Always, State: sound(p.State), Step: p.Step}
	if p.Kind == properties.Sometimes {
		cp.Kind, cp.State = checker.Sometimes, p.State
	}
	res, err := checker.Cheapest[model.State, model.Label](ctx, m, cp,
		func(from model.State, l model.Label, _ model.State) int { return model.Faults(from, l) },
		checker.Options{MaxStates: maxStates})
	out := FaultSearch{Config: m.Config(), Path: res.Path, Faults: res.Cost, States: res.States, Complete: res.Complete, StopReason: res.StopReason}
	if err == nil && res.Path != nil && p.Kind == properties.Always && res.Path.Last().Err != model.NoErr {
		return out, &ModelError{What: "more than the network's capacity in flight", Path: res.Path}
	}
	return out, err
}
