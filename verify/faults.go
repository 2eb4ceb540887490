package verify

import (
	"context"
	"encoding/binary"
	"math/bits"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// FaultSearch is the result of [FewestFaults].
type FaultSearch struct {
	Config     model.Config // resolved, as for Check
	Path       *Path        // nil when the target is unreachable (or the search stopped first)
	Faults     int          // the path's faults: drops, duplications and inversions of send order
	States     int          // states of the send-order-aware search (see FewestFaults)
	Complete   bool
	StopReason string
}

// ordered is a model state with the send order of its copies: Rank[i] is the
// place of S.Net.At(i) in send order among the copies in flight in the same
// direction with the same age (sent in the same sub-tick). Identical copies
// share a rank (they cannot be told apart, and delivering the earlier one is
// never worse). The model's canonical network forgets this order; the
// fewest-faults search needs it to count a delivery that overtakes a copy
// sent earlier in the same sub-tick.
type ordered struct {
	S    model.State
	Rank [model.MaxInFlight]uint8
}

// orderedModel runs a model and keeps the send order of its copies.
type orderedModel struct{ m *model.Model }

func (o orderedModel) Init() []ordered {
	var out []ordered
	for _, s := range o.m.Init() {
		x := ordered{S: s}
		for i := 0; i < s.Net.Len(); i++ {
			x.Rank[i] = uint8(i) // the initial copies in network order
		}
		out = append(out, x)
	}
	return out
}

func (o orderedModel) Successors(x ordered, emit func(model.Label, ordered)) {
	o.m.Successors(x.S, func(l model.Label, next model.State) {
		emit(l, ordered{S: next, Rank: rerank(x, l, next)})
	})
}

// Hash is the model's hash of the state with the send order mixed in, so
// that checker.Cheapest keeps the search's states in its exact table. It
// reads the first 12 ranks (all of them: the guard below fails to compile
// if MaxInFlight drops below 12; ranks past the twelfth would only be left
// out of the hash, not of the comparison).
func (o orderedModel) Hash(x ordered) uint64 {
	mix := func(h uint64) uint64 { // splitmix64's finaliser
		h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
		h = (h ^ h>>27) * 0x94d049bb133111eb
		return h ^ h>>31
	}
	h := mix(o.m.Hash(x.S) ^ binary.LittleEndian.Uint64(x.Rank[:8]))
	return mix(h ^ uint64(binary.LittleEndian.Uint32(x.Rank[8:])))
}

var _ [model.MaxInFlight - 12]struct{} // Hash reads 12 ranks

// rerank carries the send order of x's copies over a transition to next.
func rerank(x ordered, l model.Label, next model.State) [model.MaxInFlight]uint8 {
	// Small linear tables rather than maps: there are at most MaxInFlight
	// copies and two emissions, and this runs on every transition.
	type key struct {
		src model.Side
		age uint8
	}
	const most = model.MaxInFlight + 2
	var (
		segs  [most]model.Segment // the distinct copies, each with its rank
		ranks [most]uint8
		ns    int
		keys  [most]key // the (direction, age) groups, each with its next rank
		tops  [most]int
		nk    int
	)
	find := func(g model.Segment) int {
		for i := range ns {
			if segs[i] == g {
				return i
			}
		}
		return -1
	}
	group := func(k key) *int {
		for i := range nk {
			if keys[i] == k {
				return &tops[i]
			}
		}
		keys[nk], tops[nk] = k, 0
		nk++
		return &tops[nk-1]
	}
	for i := 0; i < x.S.Net.Len(); i++ {
		g := x.S.Net.At(i)
		if l.Action.Kind == model.ActTick {
			g.Age++
		}
		if j := find(g); j < 0 {
			segs[ns], ranks[ns] = g, x.Rank[i]
			ns++
		} else if x.Rank[i] < ranks[j] {
			ranks[j] = x.Rank[i]
		}
		t := group(key{g.Src, g.Age})
		*t = max(*t, int(x.Rank[i])+1)
	}
	for _, g := range l.Emitted() {
		if find(g) >= 0 {
			continue // identical to a copy sent earlier at this instant: one rank
		}
		t := group(key{g.Src, g.Age})
		segs[ns], ranks[ns] = g, uint8(*t)
		ns++
		*t++
	}
	var out [model.MaxInFlight]uint8
	for i := 0; i < next.Net.Len(); i++ {
		if j := find(next.Net.At(i)); j >= 0 {
			out[i] = ranks[j]
		}
	}
	return canonRanks(next, out)
}

// canonRanks turns the send-order ranks of next's copies into canonical
// ranks: 0, 1, ... within each (direction, age) group, so that states whose
// copies are in the same order compare equal.
func canonRanks(next model.State, out [model.MaxInFlight]uint8) [model.MaxInFlight]uint8 {
	var canon [model.MaxInFlight]uint8
	for i := 0; i < next.Net.Len(); i++ {
		gi := next.Net.At(i)
		var below uint16 // set of smaller ranks in i's group (ranks < 16)
		for j := 0; j < next.Net.Len(); j++ {
			gj := next.Net.At(j)
			if gj.Src == gi.Src && gj.Age == gi.Age && out[j] < out[i] {
				below |= 1 << out[j]
			}
		}
		canon[i] = uint8(bits.OnesCount16(below))
	}
	return canon
}

// faults is what a transition from x costs: one for a drop or a
// duplication; for a delivery, the copies in flight in the same direction
// sent before the delivered one (older, or as old and earlier in send order).
func faults(x ordered, l model.Label) int {
	switch l.Action.Kind {
	case model.ActDrop, model.ActDuplicate:
		return 1
	case model.ActDeliver:
	default:
		return 0
	}
	g := l.Action.Seg
	var mine uint8
	for i := 0; i < x.S.Net.Len(); i++ {
		if x.S.Net.At(i) == g {
			mine = x.Rank[i]
			break
		}
	}
	n := 0
	for i := 0; i < x.S.Net.Len(); i++ {
		c := x.S.Net.At(i)
		if c.Src == g.Src && c != g && (c.Age > g.Age || (c.Age == g.Age && x.Rank[i] < mine)) {
			n++
		}
	}
	return n
}

// FewestFaults finds the run to p's target (a violation of a safety
// property, a witness of a reachability one) that needs the fewest network
// faults — drops, duplications and inversions of send order, as
// traces.Faults counts them — and, among those, the fewest steps. It searches
// the model's states extended with the send order of the copies in flight,
// which the model itself does not keep, so it reaches more states than
// [Check]. The grid is resolved as by Check. maxStates (0 = unbounded)
// bounds the search.
func FewestFaults(ctx context.Context, cfg model.Config, p properties.Property, maxStates int) (FaultSearch, error) {
	cfg.Grid = ExactGrid(cfg, []properties.Property{p})
	m, err := model.New(cfg)
	if err != nil {
		return FaultSearch{}, err
	}
	state := func(x ordered) bool { return sound(p.State)(x.S) }
	if p.Kind == properties.Sometimes {
		state = nil
		if p.State != nil {
			state = func(x ordered) bool { return p.State(x.S) }
		}
	}
	var step func(ordered, model.Label, ordered) bool
	if p.Step != nil {
		step = func(a ordered, l model.Label, b ordered) bool { return p.Step(a.S, l, b.S) }
	}
	cp := checker.Property[ordered, model.Label]{Name: p.ID, Kind: checker.Always, State: state, Step: step}
	if p.Kind == properties.Sometimes {
		cp.Kind = checker.Sometimes
	}
	res, err := checker.Cheapest[ordered, model.Label](ctx, orderedModel{m}, cp,
		func(from ordered, l model.Label, _ ordered) int { return faults(from, l) },
		checker.Options{MaxStates: maxStates})
	out := FaultSearch{Config: m.Config(), Faults: res.Cost, States: res.States, Complete: res.Complete, StopReason: res.StopReason}
	if res.Path != nil {
		out.Path = &Path{Init: res.Path.Init.S}
		for _, st := range res.Path.Steps {
			out.Path.Steps = append(out.Path.Steps, checker.Step[model.State, model.Label]{Label: st.Label, State: st.State.S})
		}
	}
	if err == nil && out.Path != nil && p.Kind == properties.Always && out.Path.Last().Err != model.NoErr {
		return out, &ModelError{What: out.Path.Last().Err.Describe(), Path: out.Path}
	}
	return out, err
}
