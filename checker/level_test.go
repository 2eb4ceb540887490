package checker

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestNonZero checks the byte mask against a byte-by-byte reference for
// every value of every byte position, and for random words.
func TestNonZero(t *testing.T) {
	ref := func(x uint64) uint8 {
		var m uint8
		for j := range 8 {
			if byte(x>>(8*j)) != 0 {
				m |= 1 << j
			}
		}
		return m
	}
	for j := range 8 {
		for b := range 256 {
			x := uint64(b) << (8 * j)
			require.Equal(t, ref(x), nonZero(x), "byte %d = %#x", j, b)
			y := x | 0x0100000000000001 // with neighbours set
			require.Equal(t, ref(y), nonZero(y), "%#x", y)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		x := rapid.Uint64().Draw(t, "x") & rapid.Uint64().Draw(t, "zeros")
		if nonZero(x) != ref(x) {
			t.Fatalf("nonZero(%#x) = %08b, want %08b", x, nonZero(x), ref(x))
		}
	})
}

// TestCodecRoundTrip encodes random byte strings of every size from 1 to
// 70 (whole groups and a short last group), mostly zero or mostly not, back
// to back, and decodes them: the same bytes, the lengths that length and
// encodedLen report, and no encoding longer than maxLen.
func TestCodecRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		size := rapid.IntRange(1, 70).Draw(t, "size")
		k := codec{size: size, groups: (size + 7) / 8}
		density := rapid.IntRange(0, 8).Draw(t, "density") // eighths not zero
		vals := make([][]byte, rapid.IntRange(1, 20).Draw(t, "n"))
		var enc []byte
		var lens []int
		for i := range vals {
			v := make([]byte, size)
			for j := range v {
				if rapid.IntRange(0, 7).Draw(t, "nz") < density {
					v[j] = byte(rapid.IntRange(1, 255).Draw(t, "b"))
				}
			}
			vals[i] = v
			before := len(enc)
			enc = k.encode(enc, unsafe.Pointer(&v[0]))
			n := len(enc) - before
			lens = append(lens, n)
			require.Equal(t, n, k.encodedLen(unsafe.Pointer(&v[0])), "encodedLen")
			require.LessOrEqual(t, n, k.maxLen())
		}
		pos := 0
		for i, v := range vals {
			require.Equal(t, lens[i], k.length(enc[pos:]), "length of value %d", i)
			out := make([]byte, size)
			for j := range out {
				out[j] = 0xaa // decode must overwrite every byte
			}
			n := k.decode(unsafe.Pointer(&out[0]), enc[pos:])
			require.Equal(t, lens[i], n, "decoded length of value %d", i)
			require.Equal(t, v, out, "value %d", i)
			pos += n
		}
		require.Equal(t, len(enc), pos)
	})
}

// TestCodecEverySize encodes, at every size from 1 to 70, the value with
// no byte set, every byte set, and every other byte set, and reads each
// back.
func TestCodecEverySize(t *testing.T) {
	for size := 1; size <= 70; size++ {
		k := codec{size: size, groups: (size + 7) / 8}
		for _, pattern := range []func(int) byte{
			func(int) byte { return 0 },
			func(j int) byte { return byte(j + 1) },
			func(j int) byte { return byte(j%2) * 0x80 },
		} {
			v := make([]byte, size)
			for j := range v {
				v[j] = pattern(j)
			}
			enc := k.encode(nil, unsafe.Pointer(&v[0]))
			require.Equal(t, len(enc), k.encodedLen(unsafe.Pointer(&v[0])), "size %d", size)
			require.Equal(t, len(enc), k.length(enc), "size %d", size)
			out := make([]byte, size)
			for j := range out {
				out[j] = 0x55
			}
			require.Equal(t, len(enc), k.decode(unsafe.Pointer(&out[0]), enc), "size %d", size)
			require.Equal(t, v, out, "size %d", size)
		}
	}
}

// TestPointerFree lists which state types may be packed.
func TestPointerFree(t *testing.T) {
	type inner struct {
		A [3]uint16
		B bool
	}
	for _, c := range []struct {
		v    any
		want bool
	}{
		{uint64(0), true},
		{[4]int8{}, true},
		{struct {
			X inner
			Y [2]inner
			F float64
		}{}, true},
		{[0]*int{}, true},
		{"", false},
		{struct{ S string }{}, false},
		{[2]*int{}, false},
		{struct{ In [1][]byte }{}, false},
		{struct{ M map[int]int }{}, false},
		{struct{ I any }{}, false},
		{struct{ F func() }{}, false},
		{struct{ C chan int }{}, false},
	} {
		require.Equal(t, c.want, pointerFree(reflect.TypeOf(c.v)), "%T", c.v)
	}
	_, ok := newCodec[struct{ S string }]()
	require.False(t, ok)
	k, ok := newCodec[[13]byte]()
	require.True(t, ok)
	require.Equal(t, codec{size: 13, groups: 2}, k)
}

// TestLevelGet appends states to a packed level in batches of several
// sizes and reads every range back, across the index's strides.
func TestLevelGet(t *testing.T) {
	type st struct {
		A uint64
		B [3]uint32
		C uint8
	}
	k, ok := newCodec[st]()
	require.True(t, ok)
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 100).Draw(t, "n")
		want := make([]st, n)
		var l level[st]
		l.reset(true)
		for i := range want {
			want[i] = st{A: uint64(i) * rapid.Uint64Range(0, 3).Draw(t, "a"), B: [3]uint32{0, uint32(i), 0}, C: uint8(i % 3)}
		}
		// Append as the merge does, a batch at a time.
		for lo := 0; lo < n; {
			hi := min(n, lo+rapid.IntRange(1, 40).Draw(t, "batch"))
			for i := lo; i < hi; i++ {
				if i%packStride == 0 {
					l.index = append(l.index, uint64(len(l.data)))
				}
				l.data = k.encode(l.data, unsafe.Pointer(&want[i]))
			}
			l.n = hi
			lo = hi
		}
		require.Equal(t, n, l.len())
		lo := rapid.IntRange(0, n).Draw(t, "lo")
		hi := rapid.IntRange(lo, n).Draw(t, "hi")
		got := l.get(k, nil, lo, hi)
		require.Len(t, got, hi-lo)
		for i := range got {
			require.Equal(t, want[lo+i], got[i], "state %d", lo+i)
		}
	})
}

// TestLevelSaves checks the rule that stops packing: a level of sparse
// states saves memory packed, one of dense states does not.
func TestLevelSaves(t *testing.T) {
	k, ok := newCodec[[40]byte]()
	require.True(t, ok)
	fill := func(v byte, n int) *level[[40]byte] {
		var l level[[40]byte]
		l.reset(true)
		var s [40]byte
		for i := range s {
			if v == 0xff || i%8 == 0 {
				s[i] = 1
			}
		}
		for i := range n {
			if i%packStride == 0 {
				l.index = append(l.index, uint64(len(l.data)))
			}
			l.data = k.encode(l.data, unsafe.Pointer(&s))
		}
		l.n = n
		return &l
	}
	sparse, dense := fill(1, 100), fill(0xff, 100)
	require.Equal(t, 100*(5+5), len(sparse.data))
	require.True(t, sparse.saves(k), "5 of 40 bytes not zero")
	require.Equal(t, 100*(5+40), len(dense.data))
	require.False(t, dense.saves(k), "every byte not zero")
}
