package checker

import (
	"testing"

	"pgregory.net/rapid"
)

// TestChunkRepeat checks the expand phase's set of a chunk's candidates
// against a plain search of the candidates: repeat must find exactly the
// earlier candidates equal to the state (in fingerprint mode: with the same
// fingerprint), through the set's growth and its reset between chunks,
// whatever the hash's quality.
func TestChunkRepeat(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var c chunk[uint64, uint8]
		byFp := rapid.Bool().Draw(t, "by-fingerprint")
		mod := rapid.SampledFrom([]uint64{1, 3, 1 << 40}).Draw(t, "hash-mod")
		fpOf := func(s uint64) uint64 { return (s%mod)*0x9e3779b97f4a7c15 | 1 }
		for round := rapid.IntRange(1, 4).Draw(t, "chunks"); round > 0; round-- {
			c.resetSet() // as expandChunk does
			c.cands = c.cands[:0]
			n := rapid.IntRange(0, 1500).Draw(t, "emissions")
			span := rapid.Uint64Range(1, 3000).Draw(t, "states")
			for range n {
				s := rapid.Uint64Range(0, span-1).Draw(t, "s")
				fp := fpOf(s)
				want := false
				for _, x := range c.cands {
					if x.fp == fp && (byFp || x.s == s) {
						want = true
						break
					}
				}
				if got := c.repeat(&s, fp, byFp); got != want {
					t.Fatalf("repeat(%d) = %v after %d candidates, want %v", s, got, len(c.cands), want)
				}
				if !want {
					c.cands = append(c.cands, cand[uint64]{s: s, fp: fp})
					c.remember(fp)
				}
			}
		}
	})
}

// TestFamilyMerge checks the family expand phase's merging of targets
// against a plain search of the worker's candidate buffers: merge must add
// the members to the first earlier target with the same key (in
// fingerprint mode: the same fingerprint) and only to it, through the set's
// growth and its reset between claims, whatever the hash's quality.
func TestFamilyMerge(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		groups := rapid.IntRange(1, 3).Draw(t, "groups")
		w := &famWorker[uint64]{cands: make([][]famCand[uint64], groups)}
		byFp := rapid.Bool().Draw(t, "by-fingerprint")
		mod := rapid.SampledFrom([]uint64{1, 3, 1 << 40}).Draw(t, "hash-mod")
		fpOf := func(k uint64) uint64 { return (k % mod) * 0x9e3779b97f4a7c15 }
		for round := rapid.IntRange(1, 4).Draw(t, "claims"); round > 0; round-- {
			w.resetSet() // as expand does
			for g := range w.cands {
				w.cands[g] = w.cands[g][:0]
			}
			want := make([][]famCand[uint64], groups)
			n := rapid.IntRange(0, 1500).Draw(t, "targets")
			span := rapid.Uint64Range(1, 3000).Draw(t, "keys")
			for range n {
				k := rapid.Uint64Range(0, span-1).Draw(t, "k")
				members := rapid.Uint64Range(1, 15).Draw(t, "members")
				fp := fpOf(k)
				found := false
				for g := range want {
					for i := range want[g] {
						if c := &want[g][i]; max(c.fp, 1) == max(fp, 1) && (byFp || c.k == k) {
							c.members |= members
							found = true
							break
						}
					}
					if found {
						break
					}
				}
				if got := w.merge(&k, fp, members, byFp); got != found {
					t.Fatalf("merge(%d) = %v, want %v", k, got, found)
				}
				if !found {
					g := rapid.IntRange(0, groups-1).Draw(t, "group")
					want[g] = append(want[g], famCand[uint64]{k, fp, members})
					w.cands[g] = append(w.cands[g], famCand[uint64]{k, fp, members})
					w.remember(fp, g)
				}
			}
			for g := range want {
				if len(want[g]) != len(w.cands[g]) {
					t.Fatalf("group %d: %d targets, want %d", g, len(w.cands[g]), len(want[g]))
				}
				for i := range want[g] {
					if want[g][i] != w.cands[g][i] {
						t.Fatalf("group %d target %d: %+v, want %+v", g, i, w.cands[g][i], want[g][i])
					}
				}
			}
		}
	})
}
