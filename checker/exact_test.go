package checker

import (
	"runtime"
	"testing"

	"pgregory.net/rapid"
)

// TestExactTableMatchesMap runs random inserts and look-ups on one exact
// table and on a Go map side by side. The hash is drawn from functions of
// decreasing quality, so that the table must tell apart states with equal
// tags by comparing them, and probe past the end of the table: a good mix;
// seven tags, all homed at slot 0; one tag for every key; tags whose low 16
// bits are 0 (one home, many tags); one tag homed at the last slot, so that
// every probe but the first wraps; and the key itself as the hash (its
// entropy all in the low bits).
func TestExactTableMatchesMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		type st struct {
			a uint32
			b uint8
		}
		hashes := []func(st) uint64{
			func(s st) uint64 { return mix64(uint64(s.a)<<8 | uint64(s.b)) },
			func(s st) uint64 { return uint64(s.a%7) << 24 },
			func(s st) uint64 { return 0 },
			func(s st) uint64 { return uint64(s.a%3)<<56 | uint64(s.a)<<16 }, // tag's low 16 bits are 0
			func(s st) uint64 { return 0xffffffff },                          // home: the last slot
			func(s st) uint64 { return uint64(s.a)<<2 | uint64(s.b) },
		}
		hi := rapid.IntRange(0, len(hashes)-1).Draw(t, "hash")
		hash := hashes[hi]
		var x exactTable[st, int]
		ref := map[st]bool{}
		var order []st
		n := rapid.IntRange(0, 3000).Draw(t, "ops")
		keys := rapid.IntRange(1, 5000).Draw(t, "keys")
		for i := range n {
			s := st{a: uint32(rapid.IntRange(0, keys).Draw(t, "a")), b: uint8(i % 3)}
			if rapid.IntRange(0, 3).Draw(t, "op") == 0 {
				if got := x.find(&s, hash(s)) != nil; got != ref[s] {
					t.Fatalf("has(%v) = %v, want %v", s, got, ref[s])
				}
				continue
			}
			v, got := x.insert(&s, hash(s))
			if got == ref[s] {
				t.Fatalf("insert(%v) = %v with %d stored", s, got, len(ref))
			}
			if got {
				if *v != 0 {
					t.Fatalf("insert(%v): a new state's value is %d", s, *v)
				}
				ref[s] = true
				order = append(order, s)
				*v = len(order) // its value: its place in the order
			}
		}
		if x.n != len(ref) {
			t.Fatalf("n = %d, want %d", x.n, len(ref))
		}
		for i, s := range order {
			if v := x.find(&s, hash(s)); v == nil || *v != i+1 {
				t.Fatalf("find(%v) = %v, want the value %d", s, v, i+1)
			}
		}
		var i int
		x.each(func(s *st, v *int) {
			if *s != order[i] || *v != i+1 {
				t.Fatalf("each: state %d is %v with %d, want %v with %d (the order stored)", i, *s, *v, order[i], i+1)
			}
			i++
		})
		if i != len(order) {
			t.Fatalf("each visited %d states, want %d", i, len(order))
		}
		if len(ref) > 0 && x.n*4 > len(x.t)*3 {
			t.Fatalf("load %d/%d above 3/4", x.n, len(x.t))
		}
		var arena int
		for _, b := range x.blocks {
			arena += len(b)
		}
		if arena < x.n || (x.n > 0 && arena > 2*x.n+1<<arenaFirstBits) {
			t.Fatalf("arena holds %d states for %d stored", arena, x.n)
		}
	})
}

// mix64 is a 64-bit finaliser (splitmix64's).
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// TestExactTableBytes checks what an exact table says it holds against
// what the Go heap grew by while it was filled (after a collection, so that
// the tables it outgrew are gone): the memory bound relies on the figure.
func TestExactTableBytes(t *testing.T) {
	for _, n := range []int{100_000, 300_000} {
		var x exactTable[[3]uint64, uint64]
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range n {
			s := [3]uint64{uint64(i), uint64(i) * 7, 1}
			x.insert(&s, mix64(uint64(i)))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		grew := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		got := float64(x.bytes())
		if got < 0.95*grew || got > 1.05*grew {
			t.Errorf("%d states: bytes() = %.0f, the heap grew by %.0f", n, got, grew)
		}
		runtime.KeepAlive(&x)
	}
}

// TestFamStoreBytes checks the family store's exact figure the same way:
// the tables and arenas of its shards, each key with its member mask.
func TestFamStoreBytes(t *testing.T) {
	var before, after runtime.MemStats
	st := newFamStore[[3]uint64](StoreExact)
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 300_000 {
		fp := mix64(uint64(i))
		st.shards[famShardOf(fp)].add([3]uint64{uint64(i), 2, 3}, fp, 1)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	if got := float64(st.bytes()); got < 0.95*grew || got > 1.05*grew {
		t.Errorf("bytes() = %.0f, the heap grew by %.0f", got, grew)
	}
	if st.len() != 300_000 || st.mode() != StoreExact {
		t.Errorf("%d keys in %v, want 300000 in exact", st.len(), st.mode())
	}
	runtime.KeepAlive(st)
}
