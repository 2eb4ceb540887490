package model

import "slices"

// MaxInFlight is the capacity of the network: the most copies that may be in
// flight at once. A step that would exceed it yields a state with
// ErrOverflow set, which the tools report as a model error.
const MaxInFlight = 12

// Network is the multiset of copies in flight, stored packed and sorted so
// that equal multisets compare ==. Unused slots are zero.
type Network struct {
	n    uint8
	segs [MaxInFlight]uint32
}

// Len returns the number of copies in flight.
func (n Network) Len() int { return int(n.n) }

// At returns the i-th copy in canonical order.
func (n Network) At(i int) Segment { return unpack(n.segs[i]) }

// Copies returns the copies in canonical order.
func (n Network) Copies() []Segment {
	out := make([]Segment, n.n)
	for i := range out {
		out[i] = n.At(i)
	}
	return out
}

// index returns the position of a copy equal to g, or -1.
func (n Network) index(g Segment) int {
	p := g.pack()
	for i := 0; i < int(n.n); i++ {
		if n.segs[i] == p {
			return i
		}
	}
	return -1
}

// add inserts a copy, keeping the order; ok is false on overflow.
func (n Network) add(g Segment) (Network, bool) {
	ok := n.insert(g)
	return n, ok
}

// insert is add in place: the explorer's inner loop calls it on the
// successor being built, so that the network is not copied twice.
func (n *Network) insert(g Segment) bool {
	if int(n.n) == MaxInFlight {
		return false
	}
	p := g.pack()
	i := int(n.n)
	for i > 0 && n.segs[i-1] > p {
		n.segs[i] = n.segs[i-1]
		i--
	}
	n.segs[i] = p
	n.n++
	return true
}

// remove deletes the copy at position i.
func (n Network) remove(i int) Network {
	n.removeAt(i)
	return n
}

// removeAt is remove in place.
func (n *Network) removeAt(i int) {
	copy(n.segs[i:n.n], n.segs[i+1:n.n])
	n.n--
	n.segs[n.n] = 0
}

// aged returns the network one sub-tick later. Ages sit in the top byte, so
// adding the same amount to every copy keeps the order.
func (n Network) aged() Network {
	for i := 0; i < int(n.n); i++ {
		n.segs[i] += 1 << 24
	}
	return n
}

// maxAge returns the largest age in flight (0 when empty).
func (n Network) maxAge() int {
	if n.n == 0 {
		return 0
	}
	return int(unpack(n.segs[n.n-1]).Age)
}

// sorted reports whether the representation is canonical (used by tests).
func (n Network) sorted() bool {
	if !slices.IsSorted(n.segs[:n.n]) {
		return false
	}
	for _, p := range n.segs[n.n:] {
		if p != 0 {
			return false
		}
	}
	return true
}
