package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Side names an endpoint: A (the client, index 0) or B (the server, index 1).
type Side uint8

// The two endpoints.
const (
	A Side = iota
	B
)

// Peer returns the other side.
func (s Side) Peer() Side { return 1 - s }

// String returns "A" or "B".
func (s Side) String() string {
	if s == A {
		return "A"
	}
	return "B"
}

// ParseSide parses "A" or "B".
func ParseSide(s string) (Side, error) {
	switch s {
	case "A":
		return A, nil
	case "B":
		return B, nil
	}
	return 0, fmt.Errorf("unknown side %q (want A or B)", s)
}

// Flags is the set of TCP control bits the model uses.
type Flags uint8

// Control bits.
const (
	SYN Flags = 1 << iota
	ACK
	FIN
	RST
)

var flagNames = []struct {
	f    Flags
	name string
}{{SYN, "SYN"}, {FIN, "FIN"}, {RST, "RST"}, {ACK, "ACK"}}

// Has reports whether every bit of g is set in f.
func (f Flags) Has(g Flags) bool { return f&g == g }

// String joins the set bits with "|" ("FIN|ACK"); "-" when none is set.
func (f Flags) String() string {
	var parts []string
	for _, n := range flagNames {
		if f.Has(n.f) {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "|")
}

// Segment is one copy of a TCP segment in flight. Inc, Orphan and Rtx are
// ghost fields: no rule reads them.
type Segment struct {
	Src    Side  // sender; the receiver is Src.Peer()
	Flags  Flags // control bits
	Len    uint8 // data octets (0..3; 0 or 1 unless Config.DataLen)
	Seq    Seq   // SEG.SEQ
	Ack    Seq   // SEG.ACK (meaningful only with ACK)
	Age    uint8 // sub-ticks since it was sent
	Inc    uint8 // ghost: incarnation of the TCB that sent it, or of the segment an orphan RST answers
	Orphan bool  // ghost: sent by an endpoint with no connection (CLOSED or LISTEN)
	Rtx    bool  // ghost: sent by a retransmission timer
}

// SegLen is SEG.LEN: data octets plus one for SYN and one for FIN.
func (g Segment) SegLen() int {
	n := int(g.Len)
	if g.Flags.Has(SYN) {
		n++
	}
	if g.Flags.Has(FIN) {
		n++
	}
	return n
}

// String is the one-line form, e.g. "B>A FIN|ACK seq=3 ack=2 inc=1 age=1 rtx".
// [ParseSegment] reads it back.
func (g Segment) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s>%s %s seq=%d", g.Src, g.Src.Peer(), g.Flags, g.Seq)
	if g.Flags.Has(ACK) {
		fmt.Fprintf(&b, " ack=%d", g.Ack)
	}
	if g.Len > 0 {
		fmt.Fprintf(&b, " len=%d", g.Len)
	}
	fmt.Fprintf(&b, " inc=%d age=%d", g.Inc, g.Age)
	if g.Orphan {
		b.WriteString(" orphan")
	}
	if g.Rtx {
		b.WriteString(" rtx")
	}
	return b.String()
}

// ParseSegment parses the form printed by [Segment.String].
func ParseSegment(s string) (Segment, error) {
	var g Segment
	fields := strings.Fields(s)
	if len(fields) < 3 {
		return g, fmt.Errorf("segment %q: want \"X>Y FLAGS seq=N ...\"", s)
	}
	dir := fields[0]
	if len(dir) != 3 || dir[1] != '>' || dir[0] == dir[2] {
		return g, fmt.Errorf("segment %q: bad direction %q (want A>B or B>A)", s, dir)
	}
	src, err := ParseSide(dir[:1])
	if err != nil {
		return g, fmt.Errorf("segment %q: %v", s, err)
	}
	if _, err := ParseSide(dir[2:]); err != nil {
		return g, fmt.Errorf("segment %q: %v", s, err)
	}
	g.Src = src
	if fields[1] != "-" {
		for _, name := range strings.Split(fields[1], "|") {
			found := false
			for _, n := range flagNames {
				if n.name == name {
					g.Flags |= n.f
					found = true
				}
			}
			if !found {
				return g, fmt.Errorf("segment %q: unknown flag %q", s, name)
			}
		}
	}
	seen := map[string]bool{}
	for _, f := range fields[2:] {
		key, val, hasVal := strings.Cut(f, "=")
		if seen[key] {
			return g, fmt.Errorf("segment %q: %s given twice", s, key)
		}
		seen[key] = true
		if !hasVal {
			switch key {
			case "orphan":
				g.Orphan = true
			case "rtx":
				g.Rtx = true
			default:
				return g, fmt.Errorf("segment %q: unknown field %q", s, f)
			}
			continue
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 || n > 255 {
			return g, fmt.Errorf("segment %q: %s=%q is not a number 0..255", s, key, val)
		}
		switch key {
		case "seq", "ack":
			if n >= MaxSeqSpace {
				return g, fmt.Errorf("segment %q: %s=%d outside the largest sequence space 0..%d", s, key, n, MaxSeqSpace-1)
			}
			if key == "seq" {
				g.Seq = Seq(n)
			} else {
				g.Ack = Seq(n)
			}
		case "len":
			if n > 3 {
				return g, fmt.Errorf("segment %q: len=%d (the model sends at most three octets)", s, n)
			}
			g.Len = uint8(n)
		case "inc":
			if n > 7 {
				return g, fmt.Errorf("segment %q: inc=%d outside 0..7", s, n)
			}
			g.Inc = uint8(n)
		case "age":
			g.Age = uint8(n)
		default:
			return g, fmt.Errorf("segment %q: unknown field %q", s, key)
		}
	}
	if !seen["seq"] {
		return g, fmt.Errorf("segment %q: missing seq=", s)
	}
	if g.Flags.Has(ACK) != seen["ack"] {
		return g, fmt.Errorf("segment %q: ack= must be given exactly when the ACK flag is set", s)
	}
	return g, nil
}

// pack encodes a segment in 32 bits; the network stores and sorts packed
// copies, which makes its order canonical. The fields, most significant
// first: age 8 bits, source 1, flags 4, length 2, SEQ 6, ACK 6,
// incarnation 3, orphan 1, retransmission 1.
func (g Segment) pack() uint32 {
	var o, r uint32
	if g.Orphan {
		o = 1
	}
	if g.Rtx {
		r = 1
	}
	return uint32(g.Age)<<24 | uint32(g.Src)<<23 | uint32(g.Flags&0xf)<<19 | uint32(g.Len&3)<<17 |
		uint32(g.Seq&0x3f)<<11 | uint32(g.Ack&0x3f)<<5 | uint32(g.Inc&0x7)<<2 | o<<1 | r
}

func unpack(p uint32) Segment {
	return Segment{
		Age: uint8(p >> 24), Src: Side(p >> 23 & 1), Flags: Flags(p >> 19 & 0xf), Len: uint8(p >> 17 & 3),
		Seq: Seq(p >> 11 & 0x3f), Ack: Seq(p >> 5 & 0x3f), Inc: uint8(p >> 2 & 0x7), Orphan: p>>1&1 == 1, Rtx: p&1 == 1,
	}
}
