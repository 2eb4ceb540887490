package verify

import (
	"context"
	"time"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// sharedAnswer is a TW at which the shared search found every property
// holding, in a complete search: the figures a plain check would report.
type sharedAnswer struct {
	states, transitions int
	seconds             float64 // the shared search's time, for all its TWs
	config              model.Config
}

// shareTW explores the TW column tws of cfg in one search (model.TWFamily,
// checker.CheckFamily) and returns, by TW, the answers for the TWs at which
// every property of spec holds. The others — a violation, a deadlock — are
// left out, and so is every TW if the shared search was stopped by a bound
// (it stores at least as many keys as any member has states, so a complete
// one is within --max-states for every member): the sweep checks those with
// a plain search, which finds the counterexample or reports the bound
// exactly as before. It returns nil when sharing does not apply
// (spec.NoShare, a coverage record, a single TW or more than
// model.MaxFamily, a property that is not a safety property, or a
// configuration whose rules the family cannot encode).
func shareTW(ctx context.Context, cfg model.Config, tws []int, params []Param, spec SweepSpec) (map[int]sharedAnswer, error) {
	if spec.NoShare || spec.Opts.Coverage != nil || len(tws) < 2 || len(tws) > model.MaxFamily {
		return nil, nil
	}
	cfg.Grid = ExactGrid(cfg, spec.Props)
	fam, err := model.NewTWFamily(cfg, tws)
	if err != nil {
		return nil, nil // not encodable (rules), or a TW the plain check will reject with its own error
	}
	var cprops []checker.Property[model.State, model.Label]
	for _, p := range spec.Props {
		if p.Kind != properties.Always {
			return nil, nil
		}
		cprops = append(cprops, checker.Property[model.State, model.Label]{Name: p.ID, Kind: checker.Always, State: sound(p.State), Step: p.Step})
	}
	if spec.StartingShared != nil {
		spec.StartingShared(cfg, tws, params)
	}
	start := time.Now()
	res, err := checker.CheckFamily[model.State, model.Label](ctx, fam, fam.Len(), cprops, checker.FamilyOptions{
		MaxStates: spec.Opts.MaxStates, MaxMemory: spec.Opts.MaxMemory, Store: spec.Opts.Store,
		AllowDeadlock: spec.Opts.AllowDeadlock, Progress: spec.Opts.Progress, Workers: spec.Opts.Workers,
	})
	if err != nil {
		return nil, err
	}
	if !res.Complete {
		return nil, nil
	}
	secs := time.Since(start).Seconds()
	out := map[int]sharedAnswer{}
	for i, mr := range res.Members {
		if mr.Dropped || mr.Deadlock && !spec.Opts.AllowDeadlock {
			continue
		}
		out[tws[i]] = sharedAnswer{states: mr.States, transitions: mr.Transitions, seconds: secs, config: fam.Model(i).Config()}
	}
	return out, nil
}
