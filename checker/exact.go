package checker

import (
	"math/bits"
	"unsafe"
)

// exactTable is one shard of the exact visited set ([StoreExact]): the states
// themselves, kept in an arena, found through an open-addressing table of
// 64-bit entries. An entry holds 32 bits of the state's hash (the tag) and the
// state's index in the arena plus one, so that 0 marks an empty slot. A look-up
// compares the full state only where the tags agree, so it hashes the state
// once (the hash the explorer computes anyway) and usually touches one slot
// and, for a state already stored, its copy in the arena.
//
// The table is linear probing over a power-of-two array, homed at the tag's
// low bits, so that it can grow without rehashing the states: an entry carries
// all it needs to find its new home. It grows by doubling once its load passes
// 3/4. The arena is a list of blocks, each twice the size of the one before
// (the first holds 1<<arenaFirstBits states), so it never copies a state once
// stored and a small search allocates little. It replaced a Go map of full
// states per shard (kept as [StoreMap], the reference it is tested against),
// which hashed each state a second time and copied the states whenever a
// shard grew: on the medium benchmark that map made an exact search about
// twice as slow as a fingerprint search.
//
// Each state carries a value of type V: nothing for the explorer's visited
// set, the set of members that reached it for the family search.
type exactTable[S comparable, V any] struct {
	t      []uint64
	blocks [][]exactEntry[S, V]
	n      int
}

// exactEntry is a stored state and its value. The value comes first: a
// zero-size field at the end of a struct would be padded.
type exactEntry[S comparable, V any] struct {
	v V
	s S
}

// arenaFirstBits sets the size of the first arena block: 1<<arenaFirstBits
// states. Block b holds 1<<(arenaFirstBits+b).
const arenaFirstBits = 4

// exactTag is the part of a state's hash that its entry keeps: the hash's
// two halves folded together, so that a hash whose entropy lies in a few
// bits, high or low, still spreads the homes (within a shard the top
// shardBits bits, which choose the shard, are the same for every state).
func exactTag(fp uint64) uint32 { return uint32(fp) ^ uint32(fp>>32) }

// entry returns the entry at arena index i.
func (x *exactTable[S, V]) entry(i uint32) *exactEntry[S, V] {
	j := uint64(i) + 1<<arenaFirstBits
	b := bits.Len64(j) - arenaFirstBits - 1
	return &x.blocks[b][j-1<<(b+arenaFirstBits)]
}

// slot is the home slot of the tag: the index where its probe sequence
// starts. The table must not be empty.
func (x *exactTable[S, V]) slot(tag uint32) int { return int(tag) & (len(x.t) - 1) }

// find returns the value of *s (hash fp), or nil if *s is not stored.
func (x *exactTable[S, V]) find(s *S, fp uint64) *V {
	if x.n == 0 {
		return nil
	}
	tag := exactTag(fp)
	m := len(x.t) - 1
	for i := x.slot(tag); ; i = (i + 1) & m {
		e := x.t[i]
		if e == 0 {
			return nil
		}
		if uint32(e>>32) == tag {
			if en := x.entry(uint32(e) - 1); en.s == *s {
				return &en.v
			}
		}
	}
}

// touch loads the home slot of fp, so that the cache misses of several
// look-ups overlap.
func (x *exactTable[S, V]) touch(fp uint64) uint64 {
	if len(x.t) == 0 {
		return 0
	}
	return x.t[x.slot(exactTag(fp))]
}

// insert stores *s (hash fp) with a zero value unless it is already there.
// It returns the state's value and whether the state was new.
func (x *exactTable[S, V]) insert(s *S, fp uint64) (*V, bool) {
	if (x.n+1)*4 > len(x.t)*3 {
		x.grow()
	}
	tag := exactTag(fp)
	m := len(x.t) - 1
	i := x.slot(tag)
	for ; x.t[i] != 0; i = (i + 1) & m {
		if e := x.t[i]; uint32(e>>32) == tag {
			if en := x.entry(uint32(e) - 1); en.s == *s {
				return &en.v, false
			}
		}
	}
	idx := uint32(x.n)
	if j := x.n + 1<<arenaFirstBits; j&(j-1) == 0 { // a block is full
		x.blocks = append(x.blocks, make([]exactEntry[S, V], j))
	}
	en := x.entry(idx)
	en.s = *s
	x.t[i] = uint64(tag)<<32 | uint64(idx+1)
	x.n++
	return &en.v, true
}

// grow doubles the table (at least 16 slots) and re-homes every entry.
func (x *exactTable[S, V]) grow() {
	old := x.t
	x.t = make([]uint64, max(2*len(old), 16))
	m := len(x.t) - 1
	for _, e := range old {
		if e == 0 {
			continue
		}
		i := x.slot(uint32(e >> 32))
		for x.t[i] != 0 {
			i = (i + 1) & m
		}
		x.t[i] = e
	}
}

// each calls f with every stored state and its value, in the order stored.
func (x *exactTable[S, V]) each(f func(s *S, v *V)) {
	for i := 0; i < x.n; i++ {
		en := x.entry(uint32(i))
		f(&en.s, &en.v)
	}
}

// bytes is the memory the shard holds: the table and the arena's blocks.
func (x *exactTable[S, V]) bytes() int64 {
	var zero exactEntry[S, V]
	b := int64(len(x.t)) * 8
	for _, blk := range x.blocks {
		b += int64(len(blk)) * int64(unsafe.Sizeof(zero))
	}
	return b
}
