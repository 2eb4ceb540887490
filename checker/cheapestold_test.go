package checker_test

import (
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/timewait/timewait/checker"
)

// cheapestOld is checker.Cheapest as it was before its typed heap, node
// blocks and exact table (commit 3e1b2a5, argument checks left out): Go
// maps, container/heap and one slice of nodes. TestCheapestMatchesOld
// holds the new one to its exact results, paths included.
func cheapestOld[S comparable, L any](ctx context.Context, m checker.Model[S, L], p checker.Property[S, L], cost func(from S, l L, to S) int, opts checker.Options) (checker.CheapestResult[S, L], error) {
	onTarget := func(s S) bool {
		if p.State == nil {
			return false
		}
		return p.State(s) == (p.Kind == checker.Sometimes)
	}
	stepOnTarget := func(from S, l L, to S) bool {
		if p.Step == nil {
			return false
		}
		return p.Step(from, l, to) == (p.Kind == checker.Sometimes)
	}
	type node struct {
		state  S
		parent int32
		label  L
		cost   int
		length int
	}
	var nodes []node
	best := map[S]int32{} // state → index of its best node so far
	q := &oldQueue{}
	var seq uint64
	push := func(n node, goal bool) {
		nodes = append(nodes, n)
		heap.Push(q, oldItem{cost: n.cost, length: n.length, seq: seq, idx: int32(len(nodes) - 1), goal: goal})
		seq++
	}
	res := checker.CheapestResult[S, L]{}
	for _, s := range m.Init() {
		if _, ok := best[s]; ok {
			continue
		}
		push(node{state: s, parent: -1}, false)
		best[s] = int32(len(nodes) - 1)
	}
	pathTo := func(i int32) *checker.Path[S, L] {
		var chain []int32
		for ; i >= 0; i = nodes[i].parent {
			chain = append(chain, i)
		}
		path := &checker.Path[S, L]{Init: nodes[chain[len(chain)-1]].state}
		for k := len(chain) - 2; k >= 0; k-- {
			n := nodes[chain[k]]
			path.Steps = append(path.Steps, checker.Step[S, L]{Label: n.label, State: n.state})
		}
		return path
	}
	done := make(map[S]bool)
	var stop string
	for q.Len() > 0 {
		if len(done)%4096 == 0 && ctx.Err() != nil {
			stop = "cancelled"
			break
		}
		it := heap.Pop(q).(oldItem)
		n := nodes[it.idx]
		if it.goal || onTarget(n.state) {
			res.Path, res.Cost = pathTo(it.idx), n.cost
			break
		}
		if done[n.state] || best[n.state] != it.idx {
			continue
		}
		done[n.state] = true
		var capErr bool
		m.Successors(n.state, func(l L, next S) {
			c := cost(n.state, l, next)
			if c < 0 {
				capErr = true
				return
			}
			nn := node{state: next, parent: it.idx, label: l, cost: n.cost + c, length: n.length + 1}
			if stepOnTarget(n.state, l, next) {
				push(nn, true)
				return
			}
			if done[next] {
				return
			}
			if b, ok := best[next]; ok {
				if o := nodes[b]; o.cost < nn.cost || (o.cost == nn.cost && o.length <= nn.length) {
					return
				}
			} else if opts.MaxStates > 0 && len(best) >= opts.MaxStates {
				stop = "max-states"
				return
			}
			push(nn, false)
			best[next] = int32(len(nodes) - 1)
		})
		if capErr {
			return res, fmt.Errorf("checker: negative cost on a transition from %v", n.state)
		}
		if stop != "" {
			break
		}
	}
	res.States = len(best)
	res.StopReason = stop
	res.Complete = stop == ""
	if stop == "cancelled" {
		return res, ctx.Err()
	}
	return res, nil
}

// oldItem is a queue entry of cheapestOld.
type oldItem struct {
	cost, length int
	seq          uint64
	idx          int32
	goal         bool
}

// oldQueue is its container/heap queue on (cost, length, seq).
type oldQueue []oldItem

func (q oldQueue) Len() int { return len(q) }
func (q oldQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.cost != b.cost {
		return a.cost < b.cost
	}
	if a.length != b.length {
		return a.length < b.length
	}
	return a.seq < b.seq
}
func (q oldQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *oldQueue) Push(x any)   { *q = append(*q, x.(oldItem)) }
func (q *oldQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// cancelAfter is a graph that cancels its context when it has been expanded
// a given number of times, so that a search stops in the middle.
type cancelAfter struct {
	graph[int]
	n      *int
	after  int
	cancel func()
}

func (c cancelAfter) Successors(s int, emit func(int, int)) {
	if *c.n++; *c.n == c.after {
		c.cancel()
	}
	c.graph.Successors(s, emit)
}

// TestCheapestMatchesOld runs Cheapest and cheapestOld on random graphs of
// up to 9,000 states (past the node blocks of 4,096) with costs of 0 to 3,
// so that ties in cost and length abound, under state bounds and a
// cancellation part-way, and requires the same result: path, cost, states,
// completeness and stop reason. The new search runs once with a map (a
// plain graph) and once with its exact table (a weak hash).
func TestCheapestMatchesOld(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 9000).Draw(t, "n")
		seed := rapid.Uint64().Draw(t, "seed")
		rng := rand.New(rand.NewPCG(seed, 1))
		g := graph[int]{Inits: []int{0}, Adj: make([][]edge[int], n)}
		for i := range g.Adj {
			for range rng.IntN(5) {
				g.Adj[i] = append(g.Adj[i], edge[int]{rng.IntN(4), rng.IntN(n)})
			}
		}
		opts := checker.Options{MaxStates: rapid.SampledFrom([]int{0, 1, 7, n / 2}).Draw(t, "maxStates")}
		cancelAt := rapid.SampledFrom([]int{0, 1, 4096, 5000}).Draw(t, "cancelAt")
		cost := func(_ int, l int, _ int) int { return l }
		run := func(search func(context.Context, checker.Model[int, int], checker.Property[int, int]) (checker.CheapestResult[int, int], error), m checker.Model[int, int], p checker.Property[int, int]) (checker.CheapestResult[int, int], error) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if cancelAt > 0 {
				var count int
				if hg, ok := m.(weakHashedGraph); ok {
					m = weakCancelAfter{cancelAfter{hg.graph, &count, cancelAt, cancel}}
				} else {
					m = cancelAfter{g, &count, cancelAt, cancel}
				}
			}
			return search(ctx, m, p)
		}
		newSearch := func(ctx context.Context, m checker.Model[int, int], p checker.Property[int, int]) (checker.CheapestResult[int, int], error) {
			return checker.Cheapest(ctx, m, p, cost, opts)
		}
		oldSearch := func(ctx context.Context, m checker.Model[int, int], p checker.Property[int, int]) (checker.CheapestResult[int, int], error) {
			return cheapestOld(ctx, m, p, cost, opts)
		}
		for _, tr := range drawTriggers(t, n) {
			want, wantErr := run(oldSearch, g, tr.property())
			for _, m := range []checker.Model[int, int]{g, weakHashedGraph{g}} {
				got, err := run(newSearch, m, tr.property())
				require.Equal(t, wantErr, err, tr.name)
				require.Equal(t, want, got, "%s, %T", tr.name, m)
			}
		}
	})
}

// weakCancelAfter is cancelAfter with weakHashedGraph's hash.
type weakCancelAfter struct{ cancelAfter }

func (w weakCancelAfter) Hash(s int) uint64 { return weakHashedGraph{}.Hash(s) }
