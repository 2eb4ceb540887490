package verify

import (
	"context"
	"slices"
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
	symmetry            bool // searched up to the A↔B symmetry (Report.Symmetry)
}

// symFamily is a TW family searched up to the A↔B symmetry: each key is
// replaced by the representative of its orbit (model.Canonical). A key is
// a state with each TIME-WAIT countdown replaced by its age, a field of
// its endpoint, so the mirror of a member's state has the mirror of its
// key (model.TestMirrorCommutesWithKey): the orbits of keys are those of
// each member's states, and each member's counts are those of its own
// reduced search. The step predicates see the transitions as emitted.
type symFamily struct{ *model.TWFamily }

func (f symFamily) Init() []model.State {
	var out []model.State
	for _, k := range f.TWFamily.Init() {
		if c := model.Canonical(k); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func (f symFamily) Successors(k model.State, members uint64, emit func(uint64, model.State, model.Label, model.State, model.State)) {
	f.TWFamily.Successors(k, members, func(ms uint64, from model.State, l model.Label, to model.State, key model.State) {
		emit(ms, from, l, to, model.Canonical(key))
	})
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
	var fm checker.FamilyModel[model.State, model.Label] = fam
	sym := useSymmetry(cfg, spec.Props, spec.Opts)
	if sym {
		fm = symFamily{fam}
	}
	start := time.Now()
	res, err := checker.CheckFamily[model.State, model.Label](ctx, fm, fam.Len(), cprops, checker.FamilyOptions{
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
		out[tws[i]] = sharedAnswer{states: mr.States, transitions: mr.Transitions, seconds: secs, config: fam.Model(i).Config(), symmetry: sym}
	}
	return out, nil
}
