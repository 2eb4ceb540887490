package conformance

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// procNetSample is /proc/net/tcp as a little-endian Linux writes it: a
// listener on 10.0.0.1:8080, a TIME_WAIT entry (timer 59.99 s), an
// orphaned FIN_WAIT2 timewait entry and a LAST_ACK socket retransmitting.
const procNetSample = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100000A:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0000000000000000 100 0 0 10 0
   1: 0100000A:1F90 0200000A:9C40 06 00000000:00000000 03:0000176F 00000000     0        0 0 3 0000000000000000
   2: 0100000A:1F91 0200000A:9C41 05 00000000:00000000 03:00000064 00000000     0        0 0 3 0000000000000000
   3: 0100000A:1F92 0200000A:9C42 09 00000001:00000000 01:00000014 00000002     0        0 4242 1 0000000000000000 20 4 30 10 -1
`

func TestParseProcNetTCP(t *testing.T) {
	socks, err := parseProcNetTCP(strings.NewReader(procNetSample), binary.LittleEndian)
	require.NoError(t, err)
	k, p := KernelAddr(), PeerAddr()
	require.Equal(t, []Socket{
		{Local: netip.AddrPortFrom(k, 8080), Remote: netip.MustParseAddrPort("0.0.0.0:0"), State: StateListen, Inode: 31337},
		{Local: netip.AddrPortFrom(k, 8080), Remote: netip.AddrPortFrom(p, 40000), State: StateTimeWait,
			TimerKind: TimerTimeWait, Timer: 59990 * time.Millisecond},
		{Local: netip.AddrPortFrom(k, 8081), Remote: netip.AddrPortFrom(p, 40001), State: StateFinWait2,
			TimerKind: TimerTimeWait, Timer: time.Second},
		{Local: netip.AddrPortFrom(k, 8082), Remote: netip.AddrPortFrom(p, 40002), State: StateLastAck,
			TimerKind: TimerRetransmit, Timer: 200 * time.Millisecond, Retransmits: 2, Inode: 4242},
	}, socks)
	require.Equal(t, "10.0.0.1:8080>10.0.0.2:40000 TIME_WAIT timer=59.99s", socks[1].String())
	require.Equal(t, "10.0.0.1:8080>0.0.0.0:0 LISTEN", socks[0].String())

	ep := endpoints{kernel: netip.AddrPortFrom(k, 8080), peer: netip.AddrPortFrom(p, 40000)}
	require.Equal(t, &socks[1], findSocket(socks, ep, false))
	require.Equal(t, &socks[0], findSocket(socks, ep, true))
	ep.peer = netip.AddrPortFrom(p, 1)
	require.Nil(t, findSocket(socks, ep, false))
}

func TestParseProcNetTCPBigEndian(t *testing.T) {
	text := "sl local rem\n 0: 0A000001:1F90 0A000002:9C40 06 0:0 03:00000001 0 0 0 0\n"
	socks, err := parseProcNetTCP(strings.NewReader(text), binary.BigEndian)
	require.NoError(t, err)
	require.Equal(t, netip.AddrPortFrom(KernelAddr(), 8080), socks[0].Local)
	require.Equal(t, 10*time.Millisecond, socks[0].Timer)
}

func TestParseProcNetTCPRejects(t *testing.T) {
	head := "  sl  local_address rem_address\n"
	line := func(local, rem, st, timer, rtx, inode string) string {
		return head + "   0: " + local + " " + rem + " " + st + " 0:0 " + timer + " " + rtx + " 0 0 " + inode + "\n"
	}
	cases := []struct {
		name, text, want string
	}{
		{"no header", "   0: 0100000A:1F90\n", "want the header"},
		{"too few fields", head + "   0: 0100000A:1F90 00000000:0000 0A\n", "line 2: 4 fields"},
		{"bad address", line("0100000A", "00000000:0000", "0A", "00:0", "0", "1"), "bad IPv4 address:port"},
		{"short address", line("100000A:1F90", "00000000:0000", "0A", "00:0", "0", "1"), "bad IPv4 address:port"},
		{"bad port", line("0100000A:1F90", "00000000:XYZ", "0A", "00:0", "0", "1"), "bad IPv4 address:port"},
		{"bad state", line("0100000A:1F90", "00000000:0000", "ZZ", "00:0", "0", "1"), "bad state"},
		{"bad timer", line("0100000A:1F90", "00000000:0000", "0A", "00", "0", "1"), "bad timer"},
		{"timer too large", line("0100000A:1F90", "00000000:0000", "0A", "03:FFFFFFFFFFFF", "0", "1"), "out of range"},
		{"bad retransmits", line("0100000A:1F90", "00000000:0000", "0A", "00:0", "x", "1"), "bad retransmit count"},
		{"bad inode", line("0100000A:1F90", "00000000:0000", "0A", "00:0", "0", "-1"), "bad inode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseProcNetTCP(strings.NewReader(c.text), binary.LittleEndian)
			require.ErrorContains(t, err, c.want)
		})
	}
}

func TestTCPStateNames(t *testing.T) {
	for s := StateGone; s <= StateNewSynRecv; s++ {
		got, err := ParseTCPState(s.String())
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
	require.Equal(t, "STATE(13)", TCPState(13).String())
	_, err := ParseTCPState("TIME-WAIT")
	require.ErrorContains(t, err, `unknown TCP state "TIME-WAIT"`)
	require.Equal(t, "timewait", TimerTimeWait.String())
	require.Equal(t, "timer(9)", TimerKind(9).String())
}
