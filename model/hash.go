package model

// Hash returns a hash of s for the explorer's compact visited set (see
// checker.Hasher). Equal states hash equally; the explorer compares states on
// collision, so the hash affects speed only.
func (m *Model) Hash(s State) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for i := range s.Ends {
		h = mix(h, endWord(s.Ends[i]))
		// The TW slot: the TIME-WAIT timer, or the FIN-WAIT-2 timer in
		// FIN-WAIT-2 (Config.FinTimeout).
		h = mix(h, uint64(s.Ends[i].TW.Due)|uint64(s.Ends[i].TW.Tries)<<8|boolBit(s.Ends[i].TW.On)<<16)
	}
	for i := 0; i < int(s.Net.n); i += 2 {
		h = mix(h, uint64(s.Net.segs[i])<<32|uint64(s.Net.segs[i+1]))
	}
	return mix(h, uint64(s.Net.n)|uint64(s.LossLeft)<<8|uint64(s.DupLeft)<<16|uint64(s.Phase)<<24|
		uint64(s.TWEntered[0])<<32|uint64(s.TWEntered[1])<<40|uint64(s.Err)<<48)
}

func endWord(e Endpoint) uint64 {
	w := uint64(e.St) | uint64(e.Inc)<<4 | uint64(e.ISS)<<8 | uint64(e.SndUna)<<12 | uint64(e.SndNxt)<<16 |
		uint64(e.RcvNxt)<<20 | uint64(e.IRS)<<24 | boolBit(e.Data)<<28 | boolBit(e.AppClosed)<<29
	for k, t := range e.Rtx {
		w |= (uint64(t.Due) | uint64(t.Tries)<<8 | boolBit(t.On)<<11) << (32 + 12*k)
	}
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
