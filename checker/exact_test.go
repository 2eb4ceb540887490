package checker

import (
	"testing"

	"pgregory.net/rapid"
)

// TestExactTableMatchesMap runs random inserts and look-ups on one exact
// table and on a Go map side by side. The hash is drawn from functions of
// decreasing quality (a good mix, few distinct tags, one tag for every key,
// tags whose low bits agree so that probes collide and wrap), so that the
// table must tell apart states with equal tags by comparing them.
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
			func(s st) uint64 { return uint64(s.a%3)<<56 | uint64(s.a)<<40 }, // tag's low 16 bits are 0
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
