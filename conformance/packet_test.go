package conformance_test

import (
	"encoding/hex"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/conformance"
)

// kernelSYN is a SYN a Linux 6.18 kernel sent through the TUN device (the
// connect of infra-client-time-wait-syn), byte for byte: IPv4 with DF, TCP
// with MSS, SACK-permitted, timestamps, NOP and window scale.
const kernelSYN = "4500003ce40f4000400642aa0a0000010a0000021f909c40ca4d8f6200000000a002faf0d2ab0000" +
	"020405b40402080acf0d81cf000000000103030a"

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func TestDecodeKernelSYN(t *testing.T) {
	seg, err := conformance.Decode(mustHex(t, kernelSYN))
	require.NoError(t, err)
	require.Equal(t, conformance.Segment{
		Src: ap("10.0.0.1:8080"), Dst: ap("10.0.0.2:40000"),
		Seq: 3394080610, Flags: conformance.SYN, Window: 64240,
		Options: conformance.Options{HasMSS: true, MSS: 1460, SACKPermitted: true,
			HasTimestamps: true, TSVal: 3473768911, HasWScale: true, WScale: 10},
		TTL: 64, ID: 0xe40f, DF: true,
	}, seg)
	require.Equal(t, "10.0.0.1:8080>10.0.0.2:40000 SYN seq=3394080610 ack=0 win=64240 len=0 <mss 1460,sackOK,TS val 3473768911 ecr 0,wscale 10>", seg.String())
	require.Equal(t, uint32(1), seg.Len())
}

func TestMarshalRoundTrip(t *testing.T) {
	base := conformance.Segment{Src: ap("10.0.0.2:40000"), Dst: ap("10.0.0.1:8080"), Seq: 1000000, Ack: 77, Window: 65535, TTL: 64}
	with := func(f func(*conformance.Segment)) conformance.Segment {
		s := base
		f(&s)
		return s
	}
	cases := []struct {
		name string
		seg  conformance.Segment
	}{
		{"bare ACK", with(func(s *conformance.Segment) { s.Flags = conformance.ACK })},
		{"FIN|ACK with DF and ID", with(func(s *conformance.Segment) { s.Flags = conformance.FIN | conformance.ACK; s.DF = true; s.ID = 4242 })},
		{"SYN with every named option", with(func(s *conformance.Segment) {
			s.Flags = conformance.SYN
			s.Options = conformance.Options{HasMSS: true, MSS: 536, HasWScale: true, WScale: 14, SACKPermitted: true,
				HasTimestamps: true, TSVal: 1, TSEcr: 0xffffffff}
		})},
		{"unknown options kept verbatim", with(func(s *conformance.Segment) {
			s.Flags = conformance.ACK
			s.Options.Other = []conformance.Option{{Kind: 5, Data: mustHex(t, "0000000100000002")}, {Kind: 30}}
		})},
		{"odd payload (checksum pads)", with(func(s *conformance.Segment) {
			s.Flags = conformance.ACK | conformance.PSH
			s.Payload = []byte("hello")
		})},
		{"every flag, urgent pointer", with(func(s *conformance.Segment) { s.Flags = 0xff; s.Urgent = 3; s.Payload = []byte{1, 2, 3, 4} })},
		{"no flags", with(func(s *conformance.Segment) {})},
		{"TTL 0 is written as given", with(func(s *conformance.Segment) { s.TTL = 0 })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := c.seg.Marshal()
			require.NoError(t, err)
			got, err := conformance.Decode(b)
			require.NoError(t, err)
			require.Equal(t, c.seg, got)
		})
	}
}

func TestMarshalRejects(t *testing.T) {
	ok := conformance.Segment{Src: ap("10.0.0.2:1"), Dst: ap("10.0.0.1:2")}
	cases := []struct {
		name string
		f    func(*conformance.Segment)
		want string
	}{
		{"IPv6 source", func(s *conformance.Segment) { s.Src = ap("[::1]:1") }, "must be IPv4"},
		{"no destination", func(s *conformance.Segment) { s.Dst = netip.AddrPort{} }, "must be IPv4"},
		{"options too long", func(s *conformance.Segment) {
			s.Options.Other = []conformance.Option{{Kind: 99, Data: make([]byte, 38)}, {Kind: 98}}
		}, "more than the 40"},
		{"option data too long", func(s *conformance.Segment) {
			s.Options.Other = []conformance.Option{{Kind: 99, Data: make([]byte, 39)}}
		}, "do not fit"},
		{"named kind as Other", func(s *conformance.Segment) { s.Options.Other = []conformance.Option{{Kind: 2, Data: []byte{5, 180}}} }, "named field"},
		{"payload too long", func(s *conformance.Segment) { s.Payload = make([]byte, 65500) }, "does not fit in one IPv4 datagram"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ok
			c.f(&s)
			_, err := s.Marshal()
			require.ErrorContains(t, err, c.want)
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	good := mustHex(t, kernelSYN)
	edit := func(f func(b []byte) []byte) []byte {
		b := append([]byte(nil), good...)
		return f(b)
	}
	// fixIP recomputes the IPv4 header checksum after an edit of the
	// header, so that the check under test is the one that fails.
	fixIP := func(b []byte) []byte {
		b[10], b[11] = 0, 0
		var sum uint32
		for i := 0; i < 20; i += 2 {
			sum += uint32(b[i])<<8 | uint32(b[i+1])
		}
		for sum > 0xffff {
			sum = sum>>16 + sum&0xffff
		}
		b[10], b[11] = byte(^sum>>8), byte(^sum)
		return b
	}
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "shorter than an IPv4 header"},
		{"19 octets", good[:19], "shorter than an IPv4 header"},
		{"IPv6", edit(func(b []byte) []byte { b[0] = 0x60; return b }), "not IPv4: IP version 6"},
		{"header length 16", edit(func(b []byte) []byte { b[0] = 0x44; return b }), "bad IPv4 header length 16"},
		{"header length beyond the datagram", edit(func(b []byte) []byte { b[0] = 0x46; return b[:22] }), "bad IPv4 header length 24"},
		{"truncated datagram", edit(func(b []byte) []byte { return b[:30] }), "total length 60 does not fit"},
		{"total length too small", edit(func(b []byte) []byte { b[2], b[3] = 0, 10; return fixIP(b) }), "total length 10"},
		{"bad IPv4 checksum", edit(func(b []byte) []byte { b[10] ^= 1; return b }), "bad IPv4 header checksum"},
		{"fragment (MF)", edit(func(b []byte) []byte { b[6] |= 0x20; return fixIP(b) }), "IPv4 fragment"},
		{"fragment (offset)", edit(func(b []byte) []byte { b[7] = 1; return fixIP(b) }), "IPv4 fragment"},
		{"UDP", edit(func(b []byte) []byte { b[9] = 17; return fixIP(b) }), "not TCP: IP protocol 17"},
		{"short TCP header", edit(func(b []byte) []byte { b = b[:30]; b[2], b[3] = 0, 30; return fixIP(b) }), "shorter than a TCP header"},
		{"data offset 16", edit(func(b []byte) []byte { b[32] = 0x40; return b }), "bad TCP data offset 16"},
		{"data offset beyond the segment", edit(func(b []byte) []byte { b[32] = 0xf0; return b }), "bad TCP data offset 60"},
		{"bad TCP checksum", edit(func(b []byte) []byte { b[36] ^= 0x80; return b }), "bad TCP checksum"},
		{"payload corrupted", edit(func(b []byte) []byte { b[45] ^= 1; return b }), "bad TCP checksum"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := conformance.Decode(c.b)
			require.ErrorContains(t, err, c.want)
		})
	}
}

// withOptions builds a valid datagram whose TCP options are exactly opts
// (padded with EOL), for testing the option parser.
func withOptions(t *testing.T, opts []byte) []byte {
	t.Helper()
	seg := conformance.Segment{Src: ap("10.0.0.1:1"), Dst: ap("10.0.0.2:2"), Flags: conformance.ACK}
	// Reserve the option space with an unknown option, overwrite it with
	// the raw octets, and recompute the TCP checksum by hand (malformed
	// options cannot be marshalled).
	for len(opts)%4 != 0 {
		opts = append(opts, 0)
	}
	seg.Options.Other = []conformance.Option{{Kind: 200, Data: make([]byte, len(opts)-2)}}
	b, err := seg.Marshal()
	require.NoError(t, err)
	copy(b[40:], opts)
	return fixTCPChecksum(b)
}

// fixTCPChecksum recomputes the TCP checksum of an IPv4 datagram with a
// 20-octet header.
func fixTCPChecksum(b []byte) []byte {
	tcp := b[20:]
	tcp[16], tcp[17] = 0, 0
	sum := uint32(6 + len(tcp))
	for _, x := range [][]byte{b[12:20], tcp} {
		for i := 0; i+1 < len(x); i += 2 {
			sum += uint32(x[i])<<8 | uint32(x[i+1])
		}
		if len(x)%2 == 1 {
			sum += uint32(x[len(x)-1]) << 8
		}
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	tcp[16], tcp[17] = byte(^sum>>8), byte(^sum)
	return b
}

func TestDecodeOptions(t *testing.T) {
	cases := []struct {
		name string
		opts string // hex
		want conformance.Options
		err  string
	}{
		{"NOPs and EOL", "01010100", conformance.Options{}, ""},
		{"garbage after EOL is ignored", "00ffffff", conformance.Options{}, ""},
		{"MSS", "020405b4", conformance.Options{HasMSS: true, MSS: 1460}, ""},
		{"SACK block kept as Other", "0101050a0000000100000002", conformance.Options{Other: []conformance.Option{{Kind: 5, Data: []byte{0, 0, 0, 1, 0, 0, 0, 2}}}}, ""},
		{"no length octet", "010101fe", conformance.Options{}, "has no length octet"},
		{"length 1", "fe01", conformance.Options{}, "bad length 1"},
		{"length past the end", "fe09000000000000", conformance.Options{}, "bad length 9"},
		{"MSS of length 3", "0203050000", conformance.Options{}, "has length 3, want 4"},
		{"MSS twice", "020405b4020405b4", conformance.Options{}, "MSS given twice"},
		{"timestamps twice", "080a000000010000000201010101080a0000000100000002", conformance.Options{}, "timestamps given twice"},
		{"window scale twice", "0103030701030307", conformance.Options{}, "window scale given twice"},
		{"SACK-permitted twice", "04020402", conformance.Options{}, "SACK-permitted given twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seg, err := conformance.Decode(withOptions(t, mustHex(t, c.opts)))
			if c.err != "" {
				require.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, seg.Options)
		})
	}
}

func TestFlags(t *testing.T) {
	cases := []struct {
		f    conformance.Flags
		text string
	}{
		{0, "-"},
		{conformance.SYN, "SYN"},
		{conformance.SYN | conformance.ACK, "SYN|ACK"},
		{conformance.FIN | conformance.ACK, "FIN|ACK"},
		{conformance.RST | conformance.ACK, "RST|ACK"},
		{conformance.PSH | conformance.ACK, "PSH|ACK"},
		{0xff, "SYN|FIN|RST|PSH|ACK|URG|ECE|CWR"},
	}
	for _, c := range cases {
		require.Equal(t, c.text, c.f.String())
		got, err := conformance.ParseFlags(c.text)
		require.NoError(t, err)
		require.Equal(t, c.f, got)
	}
	got, err := conformance.ParseFlags("ACK|FIN")
	require.NoError(t, err)
	require.Equal(t, conformance.FIN|conformance.ACK, got, "any order is accepted")
	for text, want := range map[string]string{
		"":        "empty TCP flags",
		"syn":     "unknown TCP flag \"syn\"",
		"SYN|":    "unknown TCP flag \"\"",
		"ACK|ACK": "ACK given twice",
		"NS":      "unknown TCP flag",
	} {
		_, err := conformance.ParseFlags(text)
		require.ErrorContains(t, err, want, text)
	}
}

func TestOptionsString(t *testing.T) {
	require.Equal(t, "", conformance.Options{}.String())
	require.Equal(t, "<mss 1460,sackOK,TS val 1 ecr 2,wscale 7,opt5 0001>", conformance.Options{
		HasMSS: true, MSS: 1460, SACKPermitted: true, HasTimestamps: true, TSVal: 1, TSEcr: 2,
		HasWScale: true, WScale: 7, Other: []conformance.Option{{Kind: 5, Data: []byte{0, 1}}},
	}.String())
}
