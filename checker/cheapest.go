package checker

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
)

// CheapestResult is the outcome of [Cheapest].
type CheapestResult[S comparable, L any] struct {
	// Path is a run to the property's target (a violation of an Always
	// property, a witness of a Sometimes one) of least total cost and, among
	// those, fewest steps; nil if there is none within the search.
	Path *Path[S, L]
	// Cost is the path's total cost.
	Cost int
	// States is the number of distinct states reached.
	States int
	// Complete is true when the search ended by finding the target or by
	// exhausting the state space; a nil Path then means no target exists.
	Complete bool
	// StopReason is "" if Complete, else "max-states" or "cancelled".
	StopReason string
}

// Cheapest searches m for the run to p's target that minimises, in order,
// the sum of cost over its transitions and its number of steps (Dijkstra's
// algorithm on (cost, length) pairs; cost must be non-negative). Ties are
// broken by discovery order, so the result is deterministic. The target is a
// state or transition that violates p (Always) or satisfies it (Sometimes);
// an initial state on target gives a path of no steps.
//
// Unlike [Check], Cheapest keeps every reached state with its best path, so
// it is meant for spaces of up to a few million states; opts.MaxStates
// bounds it (StopReason "max-states"). Other options are ignored.
func Cheapest[S comparable, L any](ctx context.Context, m Model[S, L], p Property[S, L], cost func(from S, l L, to S) int, opts Options) (CheapestResult[S, L], error) {
	if err := validate(m, []Property[S, L]{p}, opts); err != nil {
		return CheapestResult[S, L]{}, err
	}
	if cost == nil {
		return CheapestResult[S, L]{}, errors.New("checker: nil cost function")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	onTarget := func(s S) bool {
		if p.State == nil {
			return false
		}
		return p.State(s) == (p.Kind == Sometimes)
	}
	stepOnTarget := func(from S, l L, to S) bool {
		if p.Step == nil {
			return false
		}
		return p.Step(from, l, to) == (p.Kind == Sometimes)
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
	q := &costQueue{}
	var seq uint64
	push := func(n node, goal bool) {
		nodes = append(nodes, n)
		heap.Push(q, costItem{cost: n.cost, length: n.length, seq: seq, idx: int32(len(nodes) - 1), goal: goal})
		seq++
	}
	res := CheapestResult[S, L]{}
	for _, s := range m.Init() {
		if _, ok := best[s]; ok {
			continue
		}
		push(node{state: s, parent: -1}, false)
		best[s] = int32(len(nodes) - 1)
	}
	pathTo := func(i int32) *Path[S, L] {
		var chain []int32
		for ; i >= 0; i = nodes[i].parent {
			chain = append(chain, i)
		}
		path := &Path[S, L]{Init: nodes[chain[len(chain)-1]].state}
		for k := len(chain) - 2; k >= 0; k-- {
			n := nodes[chain[k]]
			path.Steps = append(path.Steps, Step[S, L]{Label: n.label, State: n.state})
		}
		return path
	}
	done := make(map[S]bool)
	var stop string
	for q.Len() > 0 {
		if len(done)%4096 == 0 && ctx.Err() != nil {
			stop = stopCancelled
			break
		}
		it := heap.Pop(q).(costItem)
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
				stop = stopMaxStates
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
	if stop == stopCancelled {
		return res, ctx.Err()
	}
	return res, nil
}

type costItem struct {
	cost, length int
	seq          uint64
	idx          int32
	goal         bool
}

// costQueue is a min-heap on (cost, length, seq).
type costQueue []costItem

func (q costQueue) Len() int { return len(q) }
func (q costQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.cost != b.cost {
		return a.cost < b.cost
	}
	if a.length != b.length {
		return a.length < b.length
	}
	return a.seq < b.seq
}
func (q costQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *costQueue) Push(x any)   { *q = append(*q, x.(costItem)) }
func (q *costQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
