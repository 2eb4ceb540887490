package checker

import (
	"fmt"
	"hash/maphash"
	"math/bits"
	"unsafe"
)

// Hasher is implemented by models that can hash their states. The hash is the
// state's fingerprint: in [StoreFingerprint] mode the explorer keeps only
// these 64-bit values, so two states with the same hash count as one. It must
// be a function of the state's value alone and should be of good quality (all
// 64 bits well mixed). Models without Hash are kept exactly, in Go maps
// ([StoreMap]), whatever store is asked for but [StoreFingerprint], which they
// cannot use.
type Hasher[S comparable] interface {
	Hash(s S) uint64
}

// StoreMode selects how the visited set is kept.
type StoreMode uint8

const (
	// StoreAuto keeps states exactly up to Options.ExactLimit states, then
	// switches to fingerprints (when the model is a [Hasher]; otherwise it
	// stays exact). The default.
	StoreAuto StoreMode = iota
	// StoreExact keeps every state in full, in an arena per shard found
	// through an open-addressing table of hash tags, and compares states on
	// look-up: no omission is possible, at about twelve times the memory of
	// fingerprints for the TCP model (whose states are 120 bytes).
	StoreExact
	// StoreFingerprint keeps a 64-bit fingerprint ([Hasher]) per state in a
	// compact open-addressing table. Two distinct states with the same
	// fingerprint make the second count as visited, so states may in
	// principle be omitted; [Result.Collision] estimates the probability.
	StoreFingerprint
	// StoreMap keeps every state in full in a Go map per shard: the plain
	// reference that StoreExact and StoreFingerprint are tested against.
	// It is exact like StoreExact, and slower.
	StoreMap
)

// String returns "auto", "exact", "fingerprint" or "map".
func (m StoreMode) String() string {
	switch m {
	case StoreAuto:
		return "auto"
	case StoreExact:
		return "exact"
	case StoreFingerprint:
		return "fingerprint"
	case StoreMap:
		return "map"
	}
	return fmt.Sprintf("StoreMode(%d)", uint8(m))
}

// ParseStoreMode parses "auto", "exact", "fingerprint" or "map".
func ParseStoreMode(s string) (StoreMode, error) {
	for _, m := range []StoreMode{StoreAuto, StoreExact, StoreFingerprint, StoreMap} {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown store mode %q (want auto, exact, fingerprint or map)", s)
}

// DefaultExactLimit is the number of states [StoreAuto] keeps exactly before
// it switches to fingerprints.
const DefaultExactLimit = 1 << 20

const (
	shardBits = 8
	numShards = 1 << shardBits
	// The fingerprint table's home range of a shard grows by 6/5 once its
	// load passes 23/25 (0.92), so the load stays within [0.767, 0.92].
	maxLoadNum, maxLoadDen = 23, 25
)

// visited is the visited set, split into numShards shards by the top bits of
// a state's hash so that shards can be filled in parallel without locks (each
// by one goroutine) and grow one at a time. Lookups may run concurrently as
// long as no insert does. It is in one of three modes: fingerprints (fps),
// exact tables (tabs), or the reference Go maps (maps).
type visited[S comparable] struct {
	hash func(S) uint64
	fp   bool                      // fingerprint mode
	tabs []exactTable[S, struct{}] // StoreExact: one table per shard
	maps []map[S]struct{}          // StoreMap: one map per shard
	fps  []fpTable                 // fingerprint mode
	size uintptr                   // unsafe.Sizeof(S)
	seed maphash.Seed              // for models without Hasher (exact modes only)
}

// newVisited returns an empty set in the given mode; StoreAuto starts
// as StoreExact. Without a hash (a model that is not a [Hasher]) the exact
// modes keep Go maps (StoreMap).
func newVisited[S comparable](hash func(S) uint64, mode StoreMode) *visited[S] {
	v := &visited[S]{hash: hash, fp: mode == StoreFingerprint}
	var zero S
	v.size = unsafe.Sizeof(zero)
	if hash == nil {
		// The map store then, whatever was asked: its figures do not depend
		// on the random seed, and the table would gain nothing from a hash
		// that costs as much as the map's own.
		v.seed = maphash.MakeSeed()
		v.hash = func(s S) uint64 { return maphash.Comparable(v.seed, s) }
	}
	switch {
	case mode == StoreFingerprint:
		v.fps = make([]fpTable, numShards)
	case mode == StoreMap || hash == nil:
		v.maps = make([]map[S]struct{}, numShards)
		for i := range v.maps {
			v.maps[i] = make(map[S]struct{})
		}
	default:
		v.tabs = make([]exactTable[S, struct{}], numShards)
	}
	return v
}

// mode is the store in use: StoreExact, StoreFingerprint or StoreMap.
func (v *visited[S]) mode() StoreMode {
	switch {
	case v.fp:
		return StoreFingerprint
	case v.maps != nil:
		return StoreMap
	}
	return StoreExact
}

// fingerprint returns s's hash, never 0 (0 marks an empty slot).
func (v *visited[S]) fingerprint(s S) uint64 {
	h := v.hash(s)
	if h == 0 {
		h = 1
	}
	return h
}

func shardOf(fp uint64) int { return int(fp >> (64 - shardBits)) }

// has reports whether *s (with fingerprint fp) is stored. Safe to call
// concurrently when no insert runs.
func (v *visited[S]) has(s *S, fp uint64) bool {
	switch {
	case v.fp:
		return v.fps[shardOf(fp)].has(fp)
	case v.maps != nil:
		_, ok := v.maps[shardOf(fp)][*s]
		return ok
	}
	return v.tabs[shardOf(fp)].find(s, fp) != nil
}

// touch loads the home slot of every fingerprint in buf, so that the misses
// overlap before has looks them up one by one. It returns a value only to
// keep the loads from being optimised away.
func (v *visited[S]) touch(buf []cand[S]) uint64 {
	var x uint64
	switch {
	case v.fp:
		for i := range buf {
			f := &v.fps[shardOf(buf[i].fp)]
			if f.t != nil {
				x += f.t[f.slot(buf[i].fp)]
			}
		}
	case v.tabs != nil:
		for i := range buf {
			x += v.tabs[shardOf(buf[i].fp)].touch(buf[i].fp)
		}
	}
	return x
}

// insert adds *s and reports whether it was new. Inserts into different
// shards may run concurrently. s is a pointer so that the fingerprint
// store, which only needs fp, does not copy the state.
func (v *visited[S]) insert(s *S, fp uint64) bool {
	sh := shardOf(fp)
	switch {
	case v.fp:
		return v.fps[sh].insert(fp)
	case v.maps != nil:
		m := v.maps[sh]
		if _, ok := m[*s]; ok {
			return false
		}
		m[*s] = struct{}{}
		return true
	}
	_, isNew := v.tabs[sh].insert(s, fp)
	return isNew
}

// bytes estimates the memory held: the fingerprint and exact tables
// exactly, the maps from their entries (key plus about 40% overhead, as Go's
// swiss tables at their usual load carry).
func (v *visited[S]) bytes() int64 {
	var b int64
	switch {
	case v.fp:
		for i := range v.fps {
			b += int64(cap(v.fps[i].t)) * 8
		}
	case v.maps != nil:
		var n int
		for _, m := range v.maps {
			n += len(m)
		}
		b = int64(float64(n) * float64(v.size+1) * 1.4)
	default:
		for i := range v.tabs {
			b += v.tabs[i].bytes()
		}
	}
	return b
}

// toFingerprints converts an exact set to fingerprints, dropping the states.
func (v *visited[S]) toFingerprints() {
	if v.fp {
		return
	}
	// Each shard's states are dropped as soon as they are converted, so
	// that the two stores are not held whole at once.
	fps := make([]fpTable, numShards)
	for i := range numShards {
		if v.maps != nil {
			for s := range v.maps[i] {
				fps[i].insert(v.fingerprint(s))
			}
			v.maps[i] = nil
		} else {
			v.tabs[i].each(func(s *S, _ *struct{}) { fps[i].insert(v.fingerprint(*s)) })
			v.tabs[i] = exactTable[S, struct{}]{}
		}
	}
	v.maps, v.tabs, v.fps, v.fp = nil, nil, fps, true
}

// fpTable is one shard of the fingerprint set: an ordered linear-probing
// table (Amble and Knuth, "Ordered hash tables", 1974). A fingerprint's home
// slot is monotone in its value, and every cluster is kept sorted, so a
// lookup stops at the first larger value or empty slot, and the layout
// depends only on the set stored, not on the order of insertion. The table
// never wraps: a few slack slots follow the home range, and the last slot is
// always empty as a sentinel.
type fpTable struct {
	t    []uint64
	home uint64 // size of the home range
	n    int
}

// slot returns fp's home slot: the bits below the shard bits scaled to the
// home range.
func (f *fpTable) slot(fp uint64) int {
	hi, _ := bits.Mul64(fp<<shardBits, f.home)
	return int(hi)
}

func (f *fpTable) has(fp uint64) bool {
	if f.t == nil {
		return false
	}
	for i := f.slot(fp); ; i++ {
		x := f.t[i]
		if x == fp {
			return true
		}
		if x == 0 || x > fp {
			return false
		}
	}
}

func (f *fpTable) insert(fp uint64) bool {
	if f.t == nil {
		f.resize(16)
	}
	for {
		i := f.slot(fp)
		for f.t[i] != 0 && f.t[i] < fp {
			i++
		}
		if f.t[i] == fp {
			return false
		}
		j := i
		for f.t[j] != 0 {
			j++
		}
		if j == len(f.t)-1 { // would fill the sentinel
			f.resize(f.home + f.home/5)
			continue
		}
		copy(f.t[i+1:j+1], f.t[i:j])
		f.t[i] = fp
		f.n++
		if uint64(f.n)*maxLoadDen > f.home*maxLoadNum {
			f.resize(f.home + f.home/5)
		}
		return true
	}
}

// resize rebuilds the table with the given home range (or larger, if the
// slack does not suffice). Values are placed in order, each at its home slot
// or just after its predecessor.
func (f *fpTable) resize(home uint64) {
	for {
		slack := home/128 + 4
		t := make([]uint64, home+slack+1)
		g := fpTable{t: t, home: home, n: f.n}
		next, ok := 0, true
		for _, x := range f.t {
			if x == 0 {
				continue
			}
			i := max(g.slot(x), next)
			if i >= len(t)-1 {
				ok = false
				break
			}
			t[i] = x
			next = i + 1
		}
		if ok {
			*f = g
			return
		}
		home += home / 5
	}
}

// chunkLog is an append-only array in fixed-size chunks, so that growing
// never copies more than one chunk.
type chunkLog[T uint8 | uint32] struct {
	chunks [][]T
	n      int
}

const logChunk = 1 << 16

func (l *chunkLog[T]) append(x T) {
	if l.n%logChunk == 0 {
		l.chunks = append(l.chunks, make([]T, 0, 64))
	}
	c := len(l.chunks) - 1
	l.chunks[c] = appendCapped(l.chunks[c], x)
	l.n++
}

func (l *chunkLog[T]) at(i uint32) T { return l.chunks[i/logChunk][i%logChunk] }

// bytes is the memory the chunks hold (their capacities).
func (l *chunkLog[T]) bytes() int64 {
	var zero T
	var b int64
	for _, c := range l.chunks {
		b += int64(cap(c)) * int64(unsafe.Sizeof(zero))
	}
	return b
}

// appendCapped appends x, growing the slice by doubling but never beyond
// logChunk, so that a chunk holds no more than it will use plus its current
// length.
func appendCapped[T any](c []T, x T) []T {
	if len(c) == cap(c) {
		n := make([]T, len(c), min(2*cap(c), logChunk))
		copy(n, c)
		c = n
	}
	return append(c, x)
}
