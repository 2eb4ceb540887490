package traces

import (
	"bytes"
	"encoding/binary"
	"io"
	"sort"

	"github.com/timewait/timewait/model"
)

// The synthetic wire form of a run, as [WritePcap] writes it.
const (
	// PcapLinkType is LINKTYPE_RAW (101): every packet starts with its IPv4
	// header (tcpdump.org, "Link-layer header types").
	PcapLinkType = 101
	// PcapPortA is A's (the client's) TCP port. Every incarnation uses the
	// same 4-tuple, as the model's do.
	PcapPortA = 40000
	// PcapPortB is B's (the server's) TCP port.
	PcapPortB = 80
	// PcapSeqBaseA is added to the model's numbers of A's sequence space
	// (modulo model.SeqSpace = 8) to make 32-bit wire numbers: A's SEQ
	// fields and B's ACK fields carry PcapSeqBaseA + n.
	PcapSeqBaseA = 1_000_000
	// PcapSeqBaseB is the same for B's sequence space: B's SEQ fields and
	// A's ACK fields carry PcapSeqBaseB + n.
	PcapSeqBaseB = 2_000_000
	// PcapWindow is the window field of every segment (the model has no
	// flow control).
	PcapWindow = 65535
	// PcapPayload is the one data octet the model sends.
	PcapPayload = 'D'
)

// pcapAddr returns the synthetic IPv4 address of a side: 192.0.2.1 for A
// and 192.0.2.2 for B (TEST-NET-1, RFC 5737).
func pcapAddr(s model.Side) [4]byte { return [4]byte{192, 0, 2, 1 + byte(s)} }

// WritePcap writes a replayed run as a classic libpcap capture file (magic
// 0xa1b2c3d4, version 2.4, microsecond timestamps, link type
// [PcapLinkType]), for tcpdump, Wireshark and other packet tools.
//
// What is captured. One packet per delivery, at the model time of the
// delivery: the capture is what a tap just in front of the receiver sees. A
// copy delivered twice (it was duplicated) appears twice. A copy the
// network loses does not appear: no tap can see it without guessing where
// it was lost (the timeline, the ITF and packetdrill exports show losses).
// A copy still in flight when the run ends appears once, at the time it was
// sent, after the deliveries of that instant: the run stops before it
// arrives, and it is often the evidence (the RST of an
// RST-on-retransmitted-FIN counterexample is sent by the last step). So
// the capture holds one packet per delivery plus one per copy in flight at
// the end, in time order. A duplicate keeps its original's IP
// identification, so packet tools flag it as a duplicate.
//
// Timestamps. Model time since the start of the run, with 1 tick = 1 second
// (so MSL = 1 tick is a 1-second MSL, and the TIME-WAIT gap of a
// counterexample is visible as such) and one sub-tick = 1/grid s; the epoch
// is the Unix epoch, so `tcpdump -tt` and Wireshark's absolute time read the
// model time directly. Packets captured at the same model instant get
// timestamps 1 µs apart in the order of the trace, so tools show them in
// trace order (a sub-tick is at least 125 ms, so the offsets never reach
// the next instant).
//
// Headers. IPv4 (RFC 791): version 4, IHL 5, DSCP/ECN 0, don't-fragment,
// TTL 64, protocol 6, the identification numbering the copies in order of
// sending, and the header checksum of RFC 791 §3.1 (the one's complement of
// the one's complement sum of the header's 16-bit words, RFC 1071).
// Addresses 192.0.2.1 (A) and 192.0.2.2 (B), from TEST-NET-1 (RFC 5737),
// which never appears on a real network. TCP (RFC 9293 §3.1): ports
// [PcapPortA] and [PcapPortB]; sequence and acknowledgment numbers mapped with
// [PcapSeqBaseA] and [PcapSeqBaseB] (the acknowledgment field is 0 without
// the ACK bit); data offset 5 (no options); the control bits SYN, ACK, FIN
// and RST as the model sets them; window [PcapWindow]; urgent pointer 0; a
// one-octet payload [PcapPayload] on the data segment; and the checksum over
// the pseudo-header (source, destination, zero, protocol 6, TCP length),
// header and payload. Because the model's numbers live modulo 8, a number
// that wraps in the model jumps back by 8 on the wire, and a new
// incarnation whose numbers collide with an old one's collides on the wire
// too (which is the point).
func WritePcap(w io.Writer, r Replayed) error {
	var b bytes.Buffer
	le := binary.LittleEndian
	// Global header (libpcap file format; pcap-savefile(5)).
	b.Write(le.AppendUint32(nil, 0xa1b2c3d4))
	b.Write(le.AppendUint16(nil, 2))
	b.Write(le.AppendUint16(nil, 4))
	b.Write(le.AppendUint32(nil, 0))     // thiszone
	b.Write(le.AppendUint32(nil, 0))     // sigfigs
	b.Write(le.AppendUint32(nil, 65535)) // snaplen
	b.Write(le.AppendUint32(nil, PcapLinkType))

	flights := Flights(r)
	ids := make([]uint16, len(flights))
	for i, f := range flights {
		if f.DupOf > 0 {
			ids[i] = ids[f.DupOf-1]
		} else {
			ids[i] = uint16(i + 1)
		}
	}
	// What is captured, in order: each delivery at its step, then the
	// copies still in flight at the end at their send time (a stable sort
	// puts them after the deliveries of the same instant).
	type capture struct{ flight, at int }
	var caps []capture
	for step := 1; step <= len(r.Steps); step++ {
		for i, f := range flights {
			if f.Fate == Delivered && f.End == step {
				caps = append(caps, capture{i, f.EndAt})
			}
		}
	}
	for i, f := range flights {
		if f.Fate == InFlight {
			caps = append(caps, capture{i, max(f.SentAt, 0)})
		}
	}
	sort.SliceStable(caps, func(i, j int) bool { return caps[i].at < caps[j].at })
	grid := int64(max(r.Config.Grid, 1))
	lastAt, sameInstant := -1, int64(0)
	for _, c := range caps {
		if c.at == lastAt {
			sameInstant++
		} else {
			lastAt, sameInstant = c.at, 0
		}
		us := int64(c.at)*1_000_000/grid + sameInstant
		pkt := pcapIPv4(flights[c.flight].Seg, ids[c.flight])
		b.Write(le.AppendUint32(nil, uint32(us/1_000_000)))
		b.Write(le.AppendUint32(nil, uint32(us%1_000_000)))
		b.Write(le.AppendUint32(nil, uint32(len(pkt))))
		b.Write(le.AppendUint32(nil, uint32(len(pkt))))
		b.Write(pkt)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// pcapSeq maps a model sequence number of side's sequence space to its
// 32-bit wire number.
func pcapSeq(side model.Side, n model.Seq) uint32 {
	if side == model.A {
		return PcapSeqBaseA + uint32(n)
	}
	return PcapSeqBaseB + uint32(n)
}

// pcapIPv4 builds the IPv4 packet carrying one copy.
func pcapIPv4(g model.Segment, id uint16) []byte {
	src, dst := pcapAddr(g.Src), pcapAddr(g.Src.Peer())
	tcp := pcapTCP(g, src, dst)
	be := binary.BigEndian
	ip := make([]byte, 20, 20+len(tcp))
	ip[0] = 4<<4 | 5 // version 4, IHL 5 words
	ip[1] = 0        // DSCP, ECN
	be.PutUint16(ip[2:], uint16(20+len(tcp)))
	be.PutUint16(ip[4:], id)
	be.PutUint16(ip[6:], 0x4000) // DF, fragment offset 0
	ip[8] = 64                   // TTL
	ip[9] = 6                    // TCP
	copy(ip[12:16], src[:])
	copy(ip[16:20], dst[:])
	be.PutUint16(ip[10:], pcapIPChecksum(ip))
	return append(ip, tcp...)
}

// pcapTCP builds the TCP header and payload of one copy, checksum
// included (RFC 9293 §3.1).
func pcapTCP(g model.Segment, src, dst [4]byte) []byte {
	be := binary.BigEndian
	t := make([]byte, 20, 21)
	sport, dport := uint16(PcapPortA), uint16(PcapPortB)
	if g.Src == model.B {
		sport, dport = dport, sport
	}
	be.PutUint16(t[0:], sport)
	be.PutUint16(t[2:], dport)
	be.PutUint32(t[4:], pcapSeq(g.Src, g.Seq))
	if g.Flags.Has(model.ACK) {
		be.PutUint32(t[8:], pcapSeq(g.Src.Peer(), g.Ack))
	}
	t[12] = 5 << 4 // data offset 5 words, reserved 0
	t[13] = pcapFlagBits(g.Flags)
	be.PutUint16(t[14:], PcapWindow)
	if g.Len > 0 {
		t = append(t, PcapPayload)
	}
	be.PutUint16(t[16:], pcapTCPChecksum(src, dst, t))
	return t
}

// pcapFlagBits maps the model's control bits to the TCP header's flags octet
// (RFC 9293 §3.1: FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10).
func pcapFlagBits(f model.Flags) byte {
	var b byte
	if f.Has(model.FIN) {
		b |= 0x01
	}
	if f.Has(model.SYN) {
		b |= 0x02
	}
	if f.Has(model.RST) {
		b |= 0x04
	}
	if f.Has(model.ACK) {
		b |= 0x10
	}
	return b
}

// pcapIPChecksum is the 16-bit one's complement of the one's complement
// sum of data taken as big-endian 16-bit words, an odd final octet padded
// with zero (RFC 791 §3.1 header checksum, RFC 1071). The checksum field
// must be zero in data when computing it; over data that includes a correct
// checksum the result is 0.
func pcapIPChecksum(data []byte) uint16 {
	return ^pcapOnesSum(0, data)
}

// pcapTCPChecksum is the TCP checksum of RFC 9293 §3.1 for a segment (header
// with a zero checksum field, then payload) from src to dst: the Internet
// checksum over the 96-bit pseudo-header (source address, destination
// address, a zero octet, protocol 6, TCP length) followed by the segment.
func pcapTCPChecksum(src, dst [4]byte, segment []byte) uint16 {
	pseudo := make([]byte, 0, 12)
	pseudo = append(pseudo, src[:]...)
	pseudo = append(pseudo, dst[:]...)
	pseudo = append(pseudo, 0, 6)
	pseudo = binary.BigEndian.AppendUint16(pseudo, uint16(len(segment)))
	return ^pcapOnesSum(pcapOnesSum(0, pseudo), segment)
}

// pcapOnesSum adds data's 16-bit big-endian words to sum in one's complement
// arithmetic (end-around carry). pseudo is 12 octets, so chaining never
// splits a word.
func pcapOnesSum(sum uint16, data []byte) uint16 {
	s := uint32(sum)
	for i := 0; i+1 < len(data); i += 2 {
		s += uint32(data[i])<<8 | uint32(data[i+1])
	}
	if len(data)%2 == 1 {
		s += uint32(data[len(data)-1]) << 8
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}
