package model

import "math/bits"

// Hash returns a 64-bit fingerprint of s for the explorer's visited set
// (see checker.Hasher): equal states hash equally, and distinct states
// collide with probability about 2⁻⁶⁴. Every field takes part: the endpoints
// (with their TIME-WAIT slots), the copies in flight, the budgets, the phase,
// the ghost history and the error code. It folds 64-bit words pairwise with
// 128-bit multiplications (the "mum" step of wyhash), which is both fast and
// well mixed.
func (m *Model) Hash(s State) uint64 {
	tw := func(t Timer) uint64 { return uint64(t.Due) | uint64(t.Tries)<<8 | boolBit(t.On)<<16 }
	w0 := endWord(&s.Ends[A])
	w1 := endWord(&s.Ends[B])
	w2 := tw(s.Ends[A].TW) | tw(s.Ends[B].TW)<<20 | uint64(s.Net.n)<<40 | uint64(s.LossLeft)<<48 | uint64(s.DupLeft)<<56
	w3 := uint64(s.Phase) | uint64(s.TWEntered[0])<<8 | uint64(s.TWEntered[1])<<16 | uint64(s.Err)<<24
	h := mum(w0^k0, w1^k1)
	h = mum(h^w2^k2, w3^k3)
	if m.faithful {
		// The sequence-faithful fields: the high bits of sequence numbers
		// in a space above 16, TS.Recent, the RFC 1122 memo and the ISN
		// clocks.
		h = mum(h^faithWord(&s.Ends[A])^k0, faithWord(&s.Ends[B])^k1)
		h = mum(h^uint64(s.Clock[A])^k2, uint64(s.Clock[B])^k3)
	}
	for i := 0; i < int(s.Net.n); i += 4 {
		// Unused slots are zero, so reading past n is harmless (and keeps
		// the words aligned); the count is in w2.
		a := uint64(s.Net.segs[i])<<32 | uint64(s.Net.segs[i+1])
		b := uint64(s.Net.segs[i+2])<<32 | uint64(s.Net.segs[i+3])
		h = mum(h^a^k1, b^k2)
	}
	return mix(h, k3)
}

const (
	k0 = 0xa0761d6478bd642f
	k1 = 0xe7037ed1a0b428db
	k2 = 0x8ebc6af09c88c6e3
	k3 = 0x589965cc75374cc3
)

// mum multiplies a and b to 128 bits and folds the halves.
func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// endWord packs an endpoint's fields, retransmission timers included, into
// 64 bits without overlap: 30 bits of connection state (4 bits per field,
// 1 per flag) and 17 bits per timer (8 due, 8 tries, 1 on). The TIME-WAIT
// slot is hashed separately.
func endWord(e *Endpoint) uint64 {
	w := uint64(e.St&15) | uint64(e.Inc&15)<<4 | uint64(e.ISS&15)<<8 | uint64(e.SndUna&15)<<12 | uint64(e.SndNxt&15)<<16 |
		uint64(e.RcvNxt&15)<<20 | uint64(e.IRS&15)<<24 | boolBit(e.Data)<<28 | boolBit(e.AppClosed)<<29
	r0, r1 := &e.Rtx[0], &e.Rtx[1]
	w |= (uint64(r0.Due) | uint64(r0.Tries)<<8 | boolBit(r0.On)<<16) << 30
	w |= (uint64(r1.Due) | uint64(r1.Tries)<<8 | boolBit(r1.On)<<16) << 47
	return w
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// mix folds v into h (a multiply-xorshift step).
func mix(h, v uint64) uint64 {
	h ^= v
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 31
	h *= 0x94d049bb133111eb
	return h ^ h>>29
}

// faithWord packs what endWord leaves out in the sequence-faithful mode:
// the top two bits of the five sequence numbers (10 bits), TS.Recent (8)
// and the RFC 1122 memo (1 + 3 + 1 + 4×6 bits).
func faithWord(e *Endpoint) uint64 {
	w := uint64(e.ISS>>4) | uint64(e.SndUna>>4)<<2 | uint64(e.SndNxt>>4)<<4 | uint64(e.RcvNxt>>4)<<6 |
		uint64(e.IRS>>4)<<8 | uint64(e.TSRecent)<<10 | uint64(e.TSInc&7)<<61
	p := e.Prev
	w |= (boolBit(p.On) | uint64(p.Inc&7)<<1 | boolBit(p.Data)<<4 | uint64(p.ISS&63)<<5 | uint64(p.SndNxt&63)<<11 |
		uint64(p.RcvNxt&63)<<17 | uint64(p.IRS&63)<<23) << 18
	return w
}
