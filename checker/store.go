package checker

// Hasher is implemented by models that can hash their states. Check then
// keeps visited states in a compact open-addressing table (about 8 bytes of
// index per state besides the state itself) instead of a Go map keyed by the
// full state, which stores every state twice. The hash must be a function of
// the state's value alone; collisions are resolved by comparing states, so
// the search stays exact. Models without Hash use the map, which is the
// reference the table is tested against.
type Hasher[S comparable] interface {
	Hash(s S) uint64
}

const (
	chunkBits = 16
	chunkSize = 1 << chunkBits
	chunkMask = chunkSize - 1
)

// store is the visited set and the BFS queue: states in discovery order,
// kept in fixed-size chunks so that growth never copies them.
type store[S comparable] struct {
	hash   func(S) uint64 // nil: use index
	index  map[S]uint32
	chunks [][]S
	n      int
	slots  []uint32 // open addressing, linear probing: 0 = empty, else index+1
	mask   uint64
}

func newStore[S comparable](hash func(S) uint64) *store[S] {
	st := &store[S]{hash: hash}
	if hash == nil {
		st.index = make(map[S]uint32)
	} else {
		st.slots = make([]uint32, 1<<10)
		st.mask = 1<<10 - 1
	}
	return st
}

func (st *store[S]) len() int { return st.n }

func (st *store[S]) at(i uint32) S { return st.chunks[i>>chunkBits][i&chunkMask] }

// find looks s up; when absent, slot is where insert will put it.
func (st *store[S]) find(s S) (idx uint32, found bool, slot uint64) {
	if st.hash == nil {
		idx, found = st.index[s]
		return idx, found, 0
	}
	i := st.hash(s) & st.mask
	for {
		v := st.slots[i]
		if v == 0 {
			return 0, false, i
		}
		if st.at(v-1) == s {
			return v - 1, true, i
		}
		i = (i + 1) & st.mask
	}
}

// insert appends s, which find reported absent at slot, and returns its index.
func (st *store[S]) insert(s S, slot uint64) uint32 {
	idx := uint32(st.n)
	if st.n&chunkMask == 0 {
		st.chunks = append(st.chunks, make([]S, 0, chunkSize))
	}
	c := len(st.chunks) - 1
	st.chunks[c] = append(st.chunks[c], s)
	st.n++
	if st.hash == nil {
		st.index[s] = idx
		return idx
	}
	st.slots[slot] = idx + 1
	if uint64(st.n)*4 > uint64(len(st.slots))*3 {
		st.grow()
	}
	return idx
}

// grow doubles the table and reinserts every index.
func (st *store[S]) grow() {
	slots := make([]uint32, 2*len(st.slots))
	mask := uint64(len(slots) - 1)
	for i := 0; i < st.n; i++ {
		j := st.hash(st.at(uint32(i))) & mask
		for slots[j] != 0 {
			j = (j + 1) & mask
		}
		slots[j] = uint32(i) + 1
	}
	st.slots, st.mask = slots, mask
}
