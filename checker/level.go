package checker

import (
	"encoding/binary"
	"math/bits"
	"reflect"
	"unsafe"
)

// DefaultPackLevel is the default [Options.PackLevel]: a level of a
// million 120-byte states is 120 MB as an array, about 50 MB packed.
// Smaller levels stay plain arrays, which cost nothing to read.
const DefaultPackLevel = 1 << 20

// packMinSize is the smallest state, in bytes, that is packed: the
// encoding adds a byte per 8-byte group, so small states gain little.
const packMinSize = 32

// packStride is the number of states per entry of a packed level's index:
// reading from position p decodes from the entry at p/packStride on.
const packStride = 16

// level holds one breadth-first level's states in order: a plain array, or,
// for a state type without pointers, packed: each state's bytes with the
// zero bytes left out (see codec), back to back. A level's states are read
// a chunk at a time (get) and appended a batch at a time, so a packed level
// needs no per-state index: one offset per packStride states.
//
// Packing changes nothing but the memory the level holds: the states read
// back are equal to those appended, in the same order.
type level[S comparable] struct {
	plain  []S
	packed bool
	data   []byte   // packed: the encodings, back to back
	index  []uint64 // packed: offset in data of state i·packStride
	n      int      // packed: the number of states
}

// len returns the number of states.
func (l *level[S]) len() int {
	if l.packed {
		return l.n
	}
	return len(l.plain)
}

// empty empties the level, keeping its arrays for the level after next.
func (l *level[S]) empty() {
	l.plain, l.data, l.index, l.n = l.plain[:0], l.data[:0], l.index[:0], 0
}

// reset empties the level and sets its form, keeping the arrays of that
// form and dropping the other's: once the levels are packed, the arrays
// of the plain levels before them are not held (and counted) to the end.
func (l *level[S]) reset(packed bool) {
	l.empty()
	l.packed = packed
	if packed {
		l.plain = nil
	} else {
		l.data, l.index = nil, nil
	}
}

// bytes is the memory the level's arrays hold, of both forms (a level
// emptied after it was expanded keeps its arrays until it is reset).
func (l *level[S]) bytes() int64 {
	var zero S
	return int64(cap(l.plain))*int64(unsafe.Sizeof(zero)) + int64(cap(l.data)) + 8*int64(cap(l.index))
}

// saves reports whether the packed level's encodings and index take less
// than seven eighths of the memory its states take as an array; a level
// that does not is followed by plain ones. It compares lengths, not the
// capacities held: the arrays' growth is the same rule for both forms,
// except that a packed level reserves each batch at the longest encoding.
func (l *level[S]) saves(k codec) bool {
	return int64(len(l.data))+8*int64(len(l.index)) < int64(l.n)*int64(k.size)*7/8
}

// get returns the states [lo, hi): a view of a plain level, or, for a packed
// one, the states decoded into buf (grown as needed).
func (l *level[S]) get(k codec, buf []S, lo, hi int) []S {
	if !l.packed {
		return l.plain[lo:hi]
	}
	buf = buf[:0]
	if lo == hi {
		return buf
	}
	pos := l.index[lo/packStride]
	for i := lo / packStride * packStride; i < lo; i++ {
		pos += uint64(k.length(l.data[pos:]))
	}
	if cap(buf) < hi-lo {
		buf = make([]S, hi-lo)
	}
	buf = buf[:hi-lo]
	for i := range buf {
		pos += uint64(k.decode(unsafe.Pointer(&buf[i]), l.data[pos:]))
	}
	return buf
}

// codec packs the bytes of a pointer-free value of size bytes: a header of
// one mask byte per 8-byte group (bit j set: the group's byte j is not
// zero), then the bytes that are not zero, in order. A state of the TCP
// model (120 bytes, 35 of them not zero on average on the large benchmark)
// packs into about 50. Padding bytes are packed like the others and come
// back as they were; Go does not promise what they hold (copies and
// composite literals leave them zero in practice), so in principle they
// could lengthen an encoding, never change a state read back.
type codec struct {
	size   int // bytes of the value
	groups int // mask bytes: ⌈size/8⌉
}

// newCodec returns the codec for S, and false when S holds pointers (a
// string, slice, map, pointer, channel, function or interface anywhere in
// it), whose bytes cannot be stored outside the garbage collector's view.
func newCodec[S comparable]() (codec, bool) {
	var zero S
	if !pointerFree(reflect.TypeOf(&zero).Elem()) {
		return codec{}, false
	}
	n := int(unsafe.Sizeof(zero))
	return codec{size: n, groups: (n + 7) / 8}, true
}

// pointerFree reports whether values of t hold no pointers.
func pointerFree(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return t.Len() == 0 || pointerFree(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if !pointerFree(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// maxLen is the longest encoding: every byte not zero.
func (k codec) maxLen() int { return k.groups + k.size }

// nonZero returns the mask of x's bytes that are not zero: bit j for byte j
// (little-endian).
func nonZero(x uint64) uint8 {
	const lo7 = 0x7f7f7f7f7f7f7f7f
	// The high bit of each byte: set when the byte is not zero.
	t := ((x & lo7) + lo7 | x) &^ lo7
	// Gather the eight high bits into one byte.
	return uint8((t >> 7) * 0x0102040810204080 >> 56)
}

// encode appends the encoding of the value at p to dst.
func (k codec) encode(dst []byte, p unsafe.Pointer) []byte {
	src := unsafe.Slice((*byte)(p), k.size)
	h := len(dst)
	for range k.groups {
		dst = append(dst, 0)
	}
	g := 0
	for ; 8*g+8 <= k.size; g++ {
		x := binary.LittleEndian.Uint64(src[8*g:])
		m := nonZero(x)
		dst[h+g] = m
		if m == 0xff {
			dst = binary.LittleEndian.AppendUint64(dst, x)
			continue
		}
		for ; m != 0; m &= m - 1 {
			dst = append(dst, byte(x>>(8*bits.TrailingZeros8(m))))
		}
	}
	if g < k.groups { // a last group of fewer than 8 bytes
		var m uint8
		for j, b := range src[8*g:] {
			if b != 0 {
				m |= 1 << j
				dst = append(dst, b)
			}
		}
		dst[h+g] = m
	}
	return dst
}

// encodedLen returns the length of the value's encoding.
func (k codec) encodedLen(p unsafe.Pointer) int {
	src := unsafe.Slice((*byte)(p), k.size)
	n := k.groups
	g := 0
	for ; 8*g+8 <= k.size; g++ {
		n += bits.OnesCount8(nonZero(binary.LittleEndian.Uint64(src[8*g:])))
	}
	for _, b := range src[8*g:] {
		if b != 0 {
			n++
		}
	}
	return n
}

// length returns the length of the encoding at the start of src.
func (k codec) length(src []byte) int {
	n := k.groups
	for _, m := range src[:k.groups] {
		n += bits.OnesCount8(m)
	}
	return n
}

// decode writes the value encoded at the start of src to p and returns the
// encoding's length.
func (k codec) decode(p unsafe.Pointer, src []byte) int {
	out := unsafe.Slice((*byte)(p), k.size)
	pos := k.groups
	g := 0
	for ; 8*g+8 <= k.size; g++ {
		m := src[g]
		var x uint64
		if m == 0xff {
			x = binary.LittleEndian.Uint64(src[pos:])
			pos += 8
		} else {
			for ; m != 0; m &= m - 1 {
				x |= uint64(src[pos]) << (8 * bits.TrailingZeros8(m))
				pos++
			}
		}
		binary.LittleEndian.PutUint64(out[8*g:], x)
	}
	if g < k.groups {
		m := src[g]
		for j := range out[8*g:] {
			var b byte
			if m&(1<<j) != 0 {
				b = src[pos]
				pos++
			}
			out[8*g+j] = b
		}
	}
	return pos
}

// levelGrowth is the planned growth of a level's arrays for a batch: the
// capacities they grow to if short, and the bytes that adds.
type levelGrowth struct {
	plainCap, dataCap, indexCap int
	bytes                       int64
}

// growth plans the growth of the level's arrays for acc more states: each
// array short of room grows by half, or to what is needed. A packed level's
// need is counted at the longest encoding, so that the memory bound can
// count the growth before the states are encoded.
func (l *level[S]) growth(k codec, acc int) levelGrowth {
	var zero S
	g := levelGrowth{plainCap: cap(l.plain), dataCap: cap(l.data), indexCap: cap(l.index)}
	if !l.packed {
		if need := len(l.plain) + acc; g.plainCap < need {
			g.plainCap = max(g.plainCap+g.plainCap/2, need)
			g.bytes += int64(g.plainCap-cap(l.plain)) * int64(unsafe.Sizeof(zero))
		}
		return g
	}
	if need := len(l.data) + acc*k.maxLen(); g.dataCap < need {
		g.dataCap = max(g.dataCap+g.dataCap/2, need)
		g.bytes += int64(g.dataCap - cap(l.data))
	}
	if need := (l.n + acc + packStride - 1) / packStride; g.indexCap < need {
		g.indexCap = max(g.indexCap+g.indexCap/2, need)
		g.bytes += 8 * int64(g.indexCap-cap(l.index))
	}
	return g
}
