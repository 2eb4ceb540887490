package conformance

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func testEndpoints() endpoints {
	return endpoints{kernel: netip.AddrPortFrom(KernelAddr(), 8080), peer: netip.AddrPortFrom(PeerAddr(), 40000)}
}

func TestParseSegSpecRejects(t *testing.T) {
	cases := []struct {
		text string
		send bool
		want string
	}{
		{"", true, "empty segment spec"},
		{"SYNACK seq=1", true, "unknown TCP flag"},
		{"SYN", true, "needs seq="},
		{"ACK seq=1", true, "with ACK needs ack="},
		{"SYN seq=1 seq=2", true, "seq given twice"},
		{"SYN seq=1 bogus=2", true, `unknown field "bogus"`},
		{"SYN seq", true, "seq needs a value"},
		{"SYN seq=1 sackok=1", true, "sackok takes no value"},
		{"SYN seq=k+x", true, "bad offset"},
		{"SYN seq=1 len=*", true, "len=* is only for expectations"},
		{"SYN seq=1 len=1461", true, "want 0 to 1460"},
		{"ACK seq=1 len=-1", false, "want 0 to 1460, or *"},
		{"SYN seq=1 win=65536", true, "win=65536"},
		{"SYN seq=1 sport=0", true, "ports are 1 to 65535"},
		{"SYN seq=1 wscale=15", true, "at most 14"},
		{"SYN seq=1 ts=1", true, "want ts=TSVAL,TSECR"},
		{"SYN seq=1 ts=1,x", true, "want ts=TSVAL,TSECR"},
		{"SYN|ACK seq=k wscale=7", false, "only for segments to send"},
		{"SYN|ACK seq=k sackok", false, "only for segments to send"},
		{"SYN|ACK seq=k ts=1,2", false, "only for segments to send"},
	}
	for _, c := range cases {
		_, err := parseSegSpec(c.text, c.send)
		require.ErrorContains(t, err, c.want, c.text)
	}
}

func TestBuild(t *testing.T) {
	ep := testEndpoints()
	b := Bindings{"p": 1000, "k": 7}
	cases := []struct {
		text string
		want Segment
	}{
		{"SYN seq=p mss=1460", Segment{Src: ep.peer, Dst: ep.kernel, Seq: 1000, Flags: SYN, Window: 65535,
			Options: Options{HasMSS: true, MSS: 1460}, TTL: 64, DF: true}},
		{"FIN|ACK seq=p+1 ack=k+2 win=10", Segment{Src: ep.peer, Dst: ep.kernel, Seq: 1001, Ack: 9, Flags: FIN | ACK, Window: 10, TTL: 64, DF: true}},
		{"RST seq=5 ack=6 sport=1 dport=2", Segment{Src: netip.AddrPortFrom(PeerAddr(), 1), Dst: netip.AddrPortFrom(KernelAddr(), 2),
			Seq: 5, Ack: 6, Flags: RST, Window: 65535, TTL: 64, DF: true}},
		{"ACK|PSH seq=p ack=k len=3", Segment{Src: ep.peer, Dst: ep.kernel, Seq: 1000, Ack: 7, Flags: ACK | PSH, Window: 65535,
			Payload: []byte("abc"), TTL: 64, DF: true}},
		{"SYN seq=0 wscale=7 sackok ts=5,0", Segment{Src: ep.peer, Dst: ep.kernel, Flags: SYN, Window: 65535,
			Options: Options{HasWScale: true, WScale: 7, SACKPermitted: true, HasTimestamps: true, TSVal: 5}, TTL: 64, DF: true}},
	}
	for _, c := range cases {
		sp, err := parseSegSpec(c.text, true)
		require.NoError(t, err, c.text)
		got, err := sp.build(b, ep)
		require.NoError(t, err, c.text)
		require.Equal(t, c.want, got, c.text)
	}
	sp, err := parseSegSpec("ACK seq=p ack=q", true)
	require.NoError(t, err)
	_, err = sp.build(b, ep)
	require.ErrorContains(t, err, "variable q is not bound yet")
}

func TestMatch(t *testing.T) {
	ep := testEndpoints()
	b := Bindings{"p": 1000}
	seg := func(f Flags, seq, ack uint32, n int) Segment {
		return Segment{Src: ep.kernel, Dst: ep.peer, Flags: f, Seq: seq, Ack: ack, Window: 502, Payload: payload(n),
			Options: Options{HasMSS: true, MSS: 1460}}
	}
	cases := []struct {
		spec  string
		seg   Segment
		binds Bindings // nil: no match
		why   string
	}{
		{"SYN|ACK seq=k ack=p+1", seg(SYN|ACK, 77, 1001, 0), Bindings{"p": 1000, "k": 77}, ""},
		{"SYN|ACK seq=k+1 ack=p+1", seg(SYN|ACK, 77, 1001, 0), Bindings{"p": 1000, "k": 76}, ""},
		{"SYN|ACK seq=k ack=p+1", seg(SYN|ACK, 77, 1002, 0), nil, "ack p+2, want p+1"},
		{"FIN|ACK", seg(FIN|ACK, 1, 2, 0), Bindings{"p": 1000}, ""},
		{"FIN|ACK", seg(ACK, 1, 2, 0), nil, "flags ACK, want FIN|ACK"},
		{"ACK", seg(ACK|PSH, 1, 2, 0), Bindings{"p": 1000}, ""}, // PSH not written: not compared
		{"ACK|PSH", seg(ACK, 1, 2, 0), nil, "flags ACK, want PSH|ACK"},
		{"RST", seg(RST|ACK, 1, 2, 0), nil, "flags RST|ACK, want RST"},
		{"ACK", seg(ACK, 1, 2, 3), nil, "len 3, want 0"}, // len defaults to 0
		{"ACK len=3", seg(ACK, 1, 2, 3), Bindings{"p": 1000}, ""},
		{"ACK len=*", seg(ACK, 1, 2, 3), Bindings{"p": 1000}, ""},
		{"ACK win=502", seg(ACK, 1, 2, 0), Bindings{"p": 1000}, ""},
		{"ACK win=501", seg(ACK, 1, 2, 0), nil, "win 502, want 501"},
		{"SYN mss=1460", seg(SYN, 1, 0, 0), Bindings{"p": 1000}, ""},
		{"SYN mss=536", seg(SYN, 1, 0, 0), nil, "options <mss 1460>, want mss 536"},
		{"ACK dport=1", seg(ACK, 1, 2, 0), nil, "ports 8080>40000, want 8080>1"},
		{"ACK seq=5000", seg(ACK, 5000, 2, 0), Bindings{"p": 1000}, ""},
		{"ACK seq=5000", seg(ACK, 5001, 2, 0), nil, "seq p+4001, want 5000"},
	}
	for _, c := range cases {
		sp, err := parseSegSpec(c.spec, false)
		require.NoError(t, err, c.spec)
		got, why := sp.match(c.seg, b, ep)
		require.Equal(t, c.binds, got, c.spec)
		require.Equal(t, c.why, why, c.spec)
	}
	require.Equal(t, Bindings{"p": 1000}, b, "match must not change the bindings it is given")
}

func TestDescribe(t *testing.T) {
	ep := testEndpoints()
	b := Bindings{"p": 1000, "k": 50000000}
	k := Segment{Src: ep.kernel, Dst: ep.peer, Flags: FIN | ACK, Seq: 50000001, Ack: 1001, Window: 502}
	require.Equal(t, "FIN|ACK seq=k+1 ack=p+1 win=502", describe(k, b, ep))
	p := Segment{Src: netip.AddrPortFrom(PeerAddr(), 1), Dst: ep.kernel, Flags: RST, Seq: 999, Payload: []byte("x"),
		Options: Options{HasMSS: true, MSS: 1}}
	require.Equal(t, "RST seq=p-1 len=1 sport=1 win=0 <mss 1>", describe(p, b, ep))
}
