package model

import (
	"errors"
	"fmt"
	"math/bits"
)

// MaxFamily is the largest number of members a [TWFamily] may have (its
// member sets are 64-bit masks).
const MaxFamily = 64

// TWFamily is the family of models that differ only in the length of
// TIME-WAIT (Config.TW): the column of TWs a sweep checks for one
// configuration. Their state spaces are almost the same — in the default
// configuration at MSL 2, TW 9 and TW 5 have 708,312 and 708,280 states —
// but no state is literally shared, because an endpoint in TIME-WAIT
// stores its timer as a countdown that starts at the member's TW.
//
// A family gives every member's states one TW-independent encoding, the
// key: the state with the countdown of each TIME-WAIT timer replaced by its
// age (sub-ticks since the timer last started, TW·grid − Due). For one
// member the key is a bijection ([TWFamily.Key], [TWFamily.Concrete]); a
// key shared by several members stands for the same state in each, up to
// the countdown. Those members' transitions from it are the same
// transitions, except where a TIME-WAIT timer is due in some members and
// not in others (the timer's expiry, and time that cannot pass it), so
// [TWFamily.Successors] computes them once per group of members that agree
// on which timers are due: at most four groups, usually one. This is
// family-based model checking (Classen et al., "Model checking lots of
// systems", ICSE 2010) with the TW as the only feature.
//
// The encoding is exact only when nothing but the TIME-WAIT timer depends
// on Config.TW. NewTWFamily checks what it can: the configurations may
// differ in TW only, and they may not have Rules that set TIME-WAIT's
// length, override segment handling or choose ISSs (Rules.Segment and
// Rules.ISS see the countdown). Properties evaluated on the family's states must not read a
// TIME-WAIT countdown either; the properties package's do not.
type TWFamily struct {
	models []*Model
	sub    []uint8 // member i's TIME-WAIT length in sub-ticks
}

// NewTWFamily returns the family of cfg with Config.TW set to each of tws in
// turn (member i has TW tws[i]). It fails if tws is empty, longer than
// MaxFamily or repeats a value, if a member's configuration is invalid, or
// if cfg.Rules sets TIME-WAIT's length, handles segments or chooses ISSs.
func NewTWFamily(cfg Config, tws []int) (*TWFamily, error) {
	if len(tws) == 0 || len(tws) > MaxFamily {
		return nil, fmt.Errorf("a TW family needs 1..%d members, got %d", MaxFamily, len(tws))
	}
	if cfg.Rules != nil && (cfg.Rules.TimeWait != nil || cfg.Rules.Segment != nil || cfg.Rules.ISS != nil) {
		return nil, errors.New("a TW family cannot share states under rules that set TIME-WAIT's length, handle segments or choose ISSs (they see the countdown)")
	}
	f := &TWFamily{}
	seen := map[int]bool{}
	for _, tw := range tws {
		if seen[tw] {
			return nil, fmt.Errorf("a TW family's members must differ: tw %d twice", tw)
		}
		seen[tw] = true
		c := cfg
		c.TW = tw
		m, err := New(c)
		if err != nil {
			return nil, fmt.Errorf("tw=%d: %w", tw, err)
		}
		for inc := 1; inc < len(m.tw); inc++ {
			if m.tw[inc] != m.tw[1] {
				return nil, errors.New("a TW family needs one TIME-WAIT length for every incarnation")
			}
		}
		f.models = append(f.models, m)
		f.sub = append(f.sub, uint8(m.tw[1]))
	}
	return f, nil
}

// Hash returns a 64-bit fingerprint of a key ([Model.Hash]).
func (f *TWFamily) Hash(k State) uint64 { return f.models[0].Hash(k) }

// Len returns the number of members.
func (f *TWFamily) Len() int { return len(f.models) }

// Model returns member i's model.
func (f *TWFamily) Model(i int) *Model { return f.models[i] }

// Init returns the keys of the initial states, which every member shares
// (no endpoint starts in TIME-WAIT).
func (f *TWFamily) Init() []State {
	init := f.models[0].Init()
	for i := range init {
		init[i] = f.Key(init[i], 0)
	}
	return init
}

// Key returns the key of member i's state s: each TIME-WAIT timer's
// countdown replaced by its age.
func (f *TWFamily) Key(s State, i int) State {
	for side := range s.Ends {
		if e := &s.Ends[side]; e.St == TimeWait && e.TW.On {
			e.TW.Due = f.sub[i] - e.TW.Due
		}
	}
	return s
}

// Concrete returns member i's state with key k. The key must belong to
// member i: no TIME-WAIT age may exceed its TW.
func (f *TWFamily) Concrete(k State, i int) State {
	for side := range k.Ends {
		if e := &k.Ends[side]; e.St == TimeWait && e.TW.On {
			if e.TW.Due > f.sub[i] {
				panic(fmt.Sprintf("model: TW family: key with TIME-WAIT age %d is not a state of member %d (%d sub-ticks)", e.TW.Due, i, f.sub[i]))
			}
			e.TW.Due = f.sub[i] - e.TW.Due
		}
	}
	return k
}

// Successors emits, for every member in the set members (bit i: member i),
// the transitions of that member's state with key k. Members whose
// transitions are the same up to the TIME-WAIT countdown are emitted
// together: emit gets the set of them, the concrete source state and
// transition of the lowest one, and the key of the target, which is the
// same for all of them. Every member's transitions are emitted in its
// model's Successors order.
func (f *TWFamily) Successors(k State, members uint64, emit func(members uint64, from State, l Label, to State, key State)) {
	var groups [4]uint64 // by which sides' TIME-WAIT timers are due
	for rest := members; rest != 0; rest &= rest - 1 {
		i := bits.TrailingZeros64(rest)
		sig := 0
		for side := range k.Ends {
			if e := k.Ends[side]; e.St == TimeWait && e.TW.On {
				switch {
				case e.TW.Due == f.sub[i]:
					sig |= 1 << side
				case e.TW.Due > f.sub[i]:
					panic(fmt.Sprintf("model: TW family: key with TIME-WAIT age %d is not a state of member %d (%d sub-ticks)", e.TW.Due, i, f.sub[i]))
				}
			}
		}
		groups[sig] |= 1 << i
	}
	for _, g := range groups {
		if g == 0 {
			continue
		}
		i := bits.TrailingZeros64(g)
		from := f.Concrete(k, i)
		f.models[i].Successors(from, func(l Label, to State) {
			emit(g, from, l, to, f.Key(to, i))
		})
	}
}
