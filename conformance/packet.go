package conformance

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// Flags is the set of TCP control bits of a segment (RFC 9293 §3.1; ECE and
// CWR from RFC 3168).
type Flags uint8

// The TCP control bits, with their values in the TCP header's flags octet.
const (
	FIN Flags = 1 << iota
	SYN
	RST
	PSH
	ACK
	URG
	ECE
	CWR
)

type flagName struct {
	f    Flags
	name string
}

// flagOrder is the order in which [Flags.String] names the bits: the model's
// order (SYN|ACK, FIN|ACK, RST|ACK), then the rarer ones.
func flagOrder() [8]flagName {
	return [8]flagName{{SYN, "SYN"}, {FIN, "FIN"}, {RST, "RST"}, {PSH, "PSH"}, {ACK, "ACK"}, {URG, "URG"}, {ECE, "ECE"}, {CWR, "CWR"}}
}

// String names the bits joined by "|" ("FIN|ACK"), or "-" for none, as the
// model prints a segment's control bits.
func (f Flags) String() string {
	if f == 0 {
		return "-"
	}
	var parts []string
	for _, x := range flagOrder() {
		if f&x.f != 0 {
			parts = append(parts, x.name)
		}
	}
	return strings.Join(parts, "|")
}

// ParseFlags reads what [Flags.String] prints: bit names joined by "|"
// (upper case, each at most once), or "-" for none.
func ParseFlags(s string) (Flags, error) {
	if s == "-" {
		return 0, nil
	}
	if s == "" {
		return 0, fmt.Errorf("empty TCP flags (write - for none)")
	}
	var f Flags
	for _, name := range strings.Split(s, "|") {
		found := false
		for _, x := range flagOrder() {
			if x.name == name {
				if f&x.f != 0 {
					return 0, fmt.Errorf("TCP flag %s given twice in %q", name, s)
				}
				f |= x.f
				found = true
				break
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown TCP flag %q in %q (known: SYN FIN RST PSH ACK URG ECE CWR)", name, s)
		}
	}
	return f, nil
}

// Segment is one IPv4 datagram carrying one TCP segment: the fields a
// scripted peer sets and a test compares. Addresses must be IPv4.
type Segment struct {
	Src     netip.AddrPort `json:"src"`
	Dst     netip.AddrPort `json:"dst"`
	Seq     uint32         `json:"seq"`
	Ack     uint32         `json:"ack"`
	Flags   Flags          `json:"flags"`
	Window  uint16         `json:"window"`
	Urgent  uint16         `json:"urgent,omitempty"`
	Options Options        `json:"options"`
	Payload []byte         `json:"payload,omitempty"`
	TTL     uint8          `json:"ttl"`          // IPv4 time to live, written as given (scripts' segments use 64)
	ID      uint16         `json:"id,omitempty"` // IPv4 identification
	DF      bool           `json:"df,omitempty"` // IPv4 don't-fragment bit
}

// Len is the segment's length in sequence space (RFC 9293 §3.4): the payload
// octets plus one for SYN and one for FIN.
func (s Segment) Len() uint32 {
	n := uint32(len(s.Payload))
	if s.Flags&SYN != 0 {
		n++
	}
	if s.Flags&FIN != 0 {
		n++
	}
	return n
}

// String describes the segment in one line with absolute numbers:
// "10.0.0.1:8080>10.0.0.2:40000 FIN|ACK seq=5 ack=9 win=502 len=0 <...>".
func (s Segment) String() string {
	str := fmt.Sprintf("%s>%s %s seq=%d ack=%d win=%d len=%d", s.Src, s.Dst, s.Flags, s.Seq, s.Ack, s.Window, len(s.Payload))
	if o := s.Options.String(); o != "" {
		str += " " + o
	}
	return str
}

const (
	ipv4HeaderLen = 20
	tcpHeaderLen  = 20
	protoTCP      = 6
)

// Marshal encodes the segment as an IPv4 datagram with correct IPv4 and TCP
// checksums. It fails on non-IPv4 addresses, options that do not fit, or a
// datagram longer than 65,535 octets.
func (s Segment) Marshal() ([]byte, error) {
	if !s.Src.Addr().Is4() || !s.Dst.Addr().Is4() {
		return nil, fmt.Errorf("segment %s>%s: addresses must be IPv4", s.Src, s.Dst)
	}
	opts, err := s.Options.encode(nil)
	if err != nil {
		return nil, err
	}
	tcpLen := tcpHeaderLen + len(opts) + len(s.Payload)
	total := ipv4HeaderLen + tcpLen
	if total > 0xffff {
		return nil, fmt.Errorf("segment of %d octets does not fit in one IPv4 datagram", total)
	}
	b := make([]byte, ipv4HeaderLen, total)
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(total))
	binary.BigEndian.PutUint16(b[4:], s.ID)
	if s.DF {
		b[6] = 0x40
	}
	b[8] = s.TTL
	b[9] = protoTCP
	src, dst := s.Src.Addr().As4(), s.Dst.Addr().As4()
	copy(b[12:16], src[:])
	copy(b[16:20], dst[:])
	binary.BigEndian.PutUint16(b[10:], ^checksum(b[:ipv4HeaderLen], 0))

	b = binary.BigEndian.AppendUint16(b, s.Src.Port())
	b = binary.BigEndian.AppendUint16(b, s.Dst.Port())
	b = binary.BigEndian.AppendUint32(b, s.Seq)
	b = binary.BigEndian.AppendUint32(b, s.Ack)
	b = append(b, byte((tcpHeaderLen+len(opts))/4)<<4, byte(s.Flags))
	b = binary.BigEndian.AppendUint16(b, s.Window)
	b = append(b, 0, 0) // checksum, filled below
	b = binary.BigEndian.AppendUint16(b, s.Urgent)
	b = append(b, opts...)
	b = append(b, s.Payload...)
	tcp := b[ipv4HeaderLen:]
	binary.BigEndian.PutUint16(tcp[16:], ^checksum(tcp, pseudoHeaderSum(src, dst, len(tcp))))
	return b, nil
}

// Decode reads an IPv4 datagram carrying a TCP segment, as a TUN device
// without packet information delivers it. It verifies the IPv4 header
// checksum and the TCP checksum, and rejects anything it cannot read
// exactly: a short or truncated datagram, another IP version or protocol, a
// fragment, a bad header length, malformed options. It never panics.
func Decode(b []byte) (Segment, error) {
	if len(b) < ipv4HeaderLen {
		return Segment{}, fmt.Errorf("datagram of %d octets is shorter than an IPv4 header", len(b))
	}
	if v := b[0] >> 4; v != 4 {
		return Segment{}, fmt.Errorf("not IPv4: IP version %d", v)
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < ipv4HeaderLen || ihl > len(b) {
		return Segment{}, fmt.Errorf("bad IPv4 header length %d (datagram has %d octets)", ihl, len(b))
	}
	total := int(binary.BigEndian.Uint16(b[2:]))
	if total < ihl || total > len(b) {
		return Segment{}, fmt.Errorf("IPv4 total length %d does not fit the %d octets read (header %d)", total, len(b), ihl)
	}
	b = b[:total]
	if checksum(b[:ihl], 0) != 0xffff {
		return Segment{}, fmt.Errorf("bad IPv4 header checksum %#04x", binary.BigEndian.Uint16(b[10:]))
	}
	frag := binary.BigEndian.Uint16(b[6:])
	if frag&0x2000 != 0 || frag&0x1fff != 0 {
		return Segment{}, fmt.Errorf("IPv4 fragment (flags/offset %#04x): fragments are not reassembled", frag)
	}
	if b[9] != protoTCP {
		return Segment{}, fmt.Errorf("not TCP: IP protocol %d", b[9])
	}
	var src, dst [4]byte
	copy(src[:], b[12:16])
	copy(dst[:], b[16:20])
	tcp := b[ihl:]
	if len(tcp) < tcpHeaderLen {
		return Segment{}, fmt.Errorf("TCP segment of %d octets is shorter than a TCP header", len(tcp))
	}
	off := int(tcp[12]>>4) * 4
	if off < tcpHeaderLen || off > len(tcp) {
		return Segment{}, fmt.Errorf("bad TCP data offset %d (segment has %d octets)", off, len(tcp))
	}
	if checksum(tcp, pseudoHeaderSum(src, dst, len(tcp))) != 0xffff {
		return Segment{}, fmt.Errorf("bad TCP checksum %#04x", binary.BigEndian.Uint16(tcp[16:]))
	}
	opts, err := decodeOptions(tcp[tcpHeaderLen:off])
	if err != nil {
		return Segment{}, err
	}
	s := Segment{
		Src:     netip.AddrPortFrom(netip.AddrFrom4(src), binary.BigEndian.Uint16(tcp[0:])),
		Dst:     netip.AddrPortFrom(netip.AddrFrom4(dst), binary.BigEndian.Uint16(tcp[2:])),
		Seq:     binary.BigEndian.Uint32(tcp[4:]),
		Ack:     binary.BigEndian.Uint32(tcp[8:]),
		Flags:   Flags(tcp[13]),
		Window:  binary.BigEndian.Uint16(tcp[14:]),
		Urgent:  binary.BigEndian.Uint16(tcp[18:]),
		Options: opts,
		TTL:     b[8],
		ID:      binary.BigEndian.Uint16(b[4:]),
		DF:      frag&0x4000 != 0,
	}
	if len(tcp) > off {
		s.Payload = append([]byte(nil), tcp[off:]...)
	}
	return s, nil
}

// checksum is the ones'-complement sum of b (RFC 1071) added to sum, folded
// to 16 bits. A header whose checksum field is correct sums to 0xffff.
func checksum(b []byte, sum uint32) uint16 {
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return uint16(sum)
}

// pseudoHeaderSum is the unfolded sum of the TCP pseudo-header (RFC 9293
// §3.1: source, destination, zero, protocol, TCP length).
func pseudoHeaderSum(src, dst [4]byte, tcpLen int) uint32 {
	var sum uint32
	for _, a := range [][4]byte{src, dst} {
		sum += uint32(a[0])<<8 | uint32(a[1])
		sum += uint32(a[2])<<8 | uint32(a[3])
	}
	return sum + protoTCP + uint32(tcpLen)
}
