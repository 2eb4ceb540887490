package verify

import (
	"testing"

	"github.com/timewait/timewait/model"
)

// rerankMaps is rerank as first written, with Go maps: the reference the
// array version's rank assignment is checked against. The canonicalisation
// after it, which the rewrite left as it was, is shared (canonRanks).
func rerankMaps(x ordered, l model.Label, next model.State) [model.MaxInFlight]uint8 {
	type key struct {
		src model.Side
		age uint8
	}
	rank := make(map[model.Segment]uint8, x.S.Net.Len()+2)
	top := map[key]int{}
	for i := 0; i < x.S.Net.Len(); i++ {
		g := x.S.Net.At(i)
		if l.Action.Kind == model.ActTick {
			g.Age++
		}
		if r, ok := rank[g]; !ok || x.Rank[i] < r {
			rank[g] = x.Rank[i]
		}
		k := key{g.Src, g.Age}
		top[k] = max(top[k], int(x.Rank[i])+1)
	}
	for _, g := range l.Emitted() {
		if _, ok := rank[g]; ok {
			continue
		}
		k := key{g.Src, g.Age}
		rank[g] = uint8(top[k])
		top[k]++
	}
	var out [model.MaxInFlight]uint8
	for i := 0; i < next.Net.Len(); i++ {
		out[i] = rank[next.Net.At(i)]
	}
	return canonRanks(next, out) // unchanged by the rewrite: shared
}

// TestRerankMatchesMaps explores the send-order-aware model breadth-first
// (the first 30,000 states of each configuration, with several losses and
// duplications, so that same-instant sends and identical copies abound) and
// requires rerank to agree with the map version on every transition. It
// also requires that some states had copies out of send order, so that the
// comparison is not of zeros alone.
func TestRerankMatchesMaps(t *testing.T) {
	for _, c := range []struct{ msl, tw, loss, dup int }{{1, 2, 1, 1}, {1, 1, 2, 3}, {2, 3, 1, 2}} {
		cfg := model.DefaultConfig()
		cfg.MSL, cfg.TW, cfg.Loss, cfg.Dup = c.msl, c.tw, c.loss, c.dup
		m, err := model.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		o := orderedModel{m}
		seen := map[ordered]bool{}
		queue := o.Init()
		reordered := 0
		for len(queue) > 0 && len(seen) < 30_000 {
			x := queue[0]
			queue = queue[1:]
			if seen[x] {
				continue
			}
			seen[x] = true
			m.Successors(x.S, func(l model.Label, next model.State) {
				got, want := rerank(x, l, next), rerankMaps(x, l, next)
				if got != want {
					t.Fatalf("%+v: rerank from %v by %v: %v, the map version %v", c, x.S, l.Action, got, want)
				}
				if got != ([model.MaxInFlight]uint8{}) {
					reordered++
				}
				queue = append(queue, ordered{S: next, Rank: got})
			})
		}
		if reordered == 0 {
			t.Fatalf("%+v: no transition led to copies out of send order", c)
		}
	}
}

// TestRerankTwoEmissions covers a transition that emits two distinct
// copies in one direction at once, which the configurations above never
// do: the second must rank after the first. It takes a reachable state
// holding two such copies as the target and one with an empty network as
// the source, and labels the step with the two copies in either order.
func TestRerankTwoEmissions(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.MSL, cfg.TW = 1, 2
	m, err := model.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var empty, pair *model.State
	var a, b model.Segment
	seen := map[model.State]bool{}
	queue := m.Init()
	for len(queue) > 0 && (empty == nil || pair == nil) {
		s := queue[0]
		queue = queue[1:]
		if seen[s] {
			continue
		}
		seen[s] = true
		if s.Net.Len() == 0 && empty == nil {
			empty = &s
		}
		for i := 0; i < s.Net.Len() && pair == nil; i++ {
			for j := i + 1; j < s.Net.Len(); j++ {
				gi, gj := s.Net.At(i), s.Net.At(j)
				if gi != gj && gi.Src == gj.Src && gi.Age == gj.Age {
					pair, a, b = &s, gi, gj
					break
				}
			}
		}
		m.Successors(s, func(_ model.Label, next model.State) { queue = append(queue, next) })
	}
	if empty == nil || pair == nil {
		t.Fatal("no state with an empty network, or none with two copies sent in one sub-tick")
	}
	x := ordered{S: *empty}
	for _, sent := range [][2]model.Segment{{a, b}, {b, a}} {
		l := model.Label{Sent: sent, NSent: 2}
		got, want := rerank(x, l, *pair), rerankMaps(x, l, *pair)
		if got != want {
			t.Fatalf("sent %v: rerank %v, the map version %v", sent, got, want)
		}
		if got == ([model.MaxInFlight]uint8{}) {
			t.Fatalf("sent %v: both copies ranked alike", sent)
		}
	}
}
