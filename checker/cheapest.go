package checker

import (
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
	var nodes cheapNodes[S, L]
	best := newCheapStore(m)
	var q costQueue
	var seq uint64
	push := func(n cheapNode[S, L], goal bool) {
		idx := nodes.add(n)
		q.push(costItem{cost: n.cost, length: n.length, seq: seq, idx: idx, goal: goal})
		seq++
	}
	res := CheapestResult[S, L]{}
	for _, s := range m.Init() {
		h := best.hashOf(&s)
		if best.find(&s, h) != nil {
			continue
		}
		push(cheapNode[S, L]{state: s, parent: -1}, false)
		best.add(&s, h).best = int32(nodes.n - 1)
	}
	pathTo := func(i int32) *Path[S, L] {
		var chain []int32
		for ; i >= 0; i = nodes.at(i).parent {
			chain = append(chain, i)
		}
		path := &Path[S, L]{Init: nodes.at(chain[len(chain)-1]).state}
		for k := len(chain) - 2; k >= 0; k-- {
			n := nodes.at(chain[k])
			path.Steps = append(path.Steps, Step[S, L]{Label: n.label, State: n.state})
		}
		return path
	}
	var stop string
	expanded := 0
	for len(q) > 0 {
		if expanded%4096 == 0 && ctx.Err() != nil {
			stop = stopCancelled
			break
		}
		it := q.pop()
		n := nodes.at(it.idx)
		if it.goal || onTarget(n.state) {
			res.Path, res.Cost = pathTo(it.idx), n.cost
			break
		}
		info := best.find(&n.state, best.hashOf(&n.state))
		if info.done || info.best != it.idx {
			continue
		}
		info.done = true
		expanded++
		from, fromCost, fromLen := n.state, n.cost, n.length
		var capErr bool
		m.Successors(from, func(l L, next S) {
			c := cost(from, l, next)
			if c < 0 {
				capErr = true
				return
			}
			nn := cheapNode[S, L]{state: next, parent: it.idx, label: l, cost: fromCost + c, length: fromLen + 1}
			if stepOnTarget(from, l, next) {
				push(nn, true)
				return
			}
			h := best.hashOf(&next)
			ni := best.find(&next, h)
			if ni != nil {
				if ni.done {
					return
				}
				if o := nodes.at(ni.best); o.cost < nn.cost || (o.cost == nn.cost && o.length <= nn.length) {
					return
				}
			} else if opts.MaxStates > 0 && best.len() >= opts.MaxStates {
				stop = stopMaxStates
				return
			}
			push(nn, false)
			if ni == nil {
				ni = best.add(&next, h)
			}
			ni.best = int32(nodes.n - 1)
		})
		if capErr {
			return res, fmt.Errorf("checker: negative cost on a transition from %v", from)
		}
		if stop != "" {
			break
		}
	}
	res.States = best.len()
	res.StopReason = stop
	res.Complete = stop == ""
	if stop == stopCancelled {
		return res, ctx.Err()
	}
	return res, nil
}

// cheapNode is one path found by Cheapest: its last state, the node it
// extends, the label of its last step, its cost and its length.
type cheapNode[S comparable, L any] struct {
	state  S
	parent int32
	label  L
	cost   int
	length int
}

// cheapNodes holds Cheapest's nodes in fixed blocks, so that adding one
// never copies the others (a slice grown by append copied them all at every
// doubling).
type cheapNodes[S comparable, L any] struct {
	blocks [][]cheapNode[S, L]
	n      int
}

// cheapBlock is the number of nodes per block.
const cheapBlock = 4096

func (ns *cheapNodes[S, L]) add(n cheapNode[S, L]) int32 {
	if ns.n%cheapBlock == 0 {
		ns.blocks = append(ns.blocks, make([]cheapNode[S, L], 0, cheapBlock))
	}
	b := &ns.blocks[len(ns.blocks)-1]
	*b = append(*b, n)
	ns.n++
	return int32(ns.n - 1)
}

// at returns node i. The pointer stays valid: blocks never move.
func (ns *cheapNodes[S, L]) at(i int32) *cheapNode[S, L] {
	return &ns.blocks[i/cheapBlock][i%cheapBlock]
}

// cheapInfo is what Cheapest keeps per reached state: its best node so far
// and whether it was expanded.
type cheapInfo struct {
	best int32
	done bool
}

// cheapStore maps Cheapest's reached states to their cheapInfo: in an exact
// table when the model hashes its states (the model's hash only, computed
// once per emission for both the look-up and the insert, and no copying
// when it grows), else in a Go map.
type cheapStore[S comparable] struct {
	hash func(S) uint64
	tab  exactTable[S, cheapInfo]
	m    map[S]*cheapInfo
}

func newCheapStore[S comparable, L any](m Model[S, L]) *cheapStore[S] {
	if h, ok := m.(Hasher[S]); ok {
		return &cheapStore[S]{hash: h.Hash}
	}
	return &cheapStore[S]{m: map[S]*cheapInfo{}}
}

// hashOf is s's hash for find and add (0 for the map, which hashes itself).
func (c *cheapStore[S]) hashOf(s *S) uint64 {
	if c.m != nil {
		return 0
	}
	return c.hash(*s)
}

// find returns the info of s (hash h), or nil if s was not reached.
func (c *cheapStore[S]) find(s *S, h uint64) *cheapInfo {
	if c.m != nil {
		return c.m[*s]
	}
	return c.tab.find(s, h)
}

// add records s (hash h), which must not be there yet, and returns its info.
func (c *cheapStore[S]) add(s *S, h uint64) *cheapInfo {
	if c.m != nil {
		x := &cheapInfo{}
		c.m[*s] = x
		return x
	}
	x, _ := c.tab.insert(s, h)
	return x
}

func (c *cheapStore[S]) len() int {
	if c.m != nil {
		return len(c.m)
	}
	return c.tab.n
}

type costItem struct {
	cost, length int
	seq          uint64
	idx          int32
	goal         bool
}

// costQueue is a min-heap on (cost, length, seq), typed so that pushing
// does not box its items (container/heap takes them as any).
type costQueue []costItem

func (a costItem) less(b costItem) bool {
	if a.cost != b.cost {
		return a.cost < b.cost
	}
	if a.length != b.length {
		return a.length < b.length
	}
	return a.seq < b.seq
}

func (q *costQueue) push(it costItem) {
	*q = append(*q, it)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h[i].less(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *costQueue) pop() costItem {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].less(h[m]) {
			m = l
		}
		if r < len(h) && h[r].less(h[m]) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}
