package conformance

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// TCPState is a socket state as /proc/net/tcp numbers it (the kernel's
// include/net/tcp_states.h), plus [StateGone] for a 4-tuple with no entry.
type TCPState uint8

// The states, with the kernel's numbers.
const (
	StateGone        TCPState = 0 // no entry: the connection is gone
	StateEstablished TCPState = 1
	StateSynSent     TCPState = 2
	StateSynRecv     TCPState = 3
	StateFinWait1    TCPState = 4
	StateFinWait2    TCPState = 5
	StateTimeWait    TCPState = 6
	StateClose       TCPState = 7
	StateCloseWait   TCPState = 8
	StateLastAck     TCPState = 9
	StateListen      TCPState = 10
	StateClosing     TCPState = 11
	StateNewSynRecv  TCPState = 12
)

// stateNames are the names the kernel uses (without TCP_), indexed by
// state.
func stateNames() [13]string {
	return [13]string{"GONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
		"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"}
}

// String is the kernel's name of the state without its TCP_ prefix
// ("TIME_WAIT"), "GONE", or "STATE(n)" for a number the kernel does not use.
func (s TCPState) String() string {
	names := stateNames()
	if int(s) < len(names) {
		return names[s]
	}
	return fmt.Sprintf("STATE(%d)", uint8(s))
}

// ParseTCPState reads what [TCPState.String] prints.
func ParseTCPState(s string) (TCPState, error) {
	names := stateNames()
	for i, n := range names {
		if n == s {
			return TCPState(i), nil
		}
	}
	return 0, fmt.Errorf("unknown TCP state %q (known: %s)", s, strings.Join(names[:], " "))
}

// TimerKind is the "tr" column of /proc/net/tcp: which timer is pending.
type TimerKind uint8

// The timer kinds of net/ipv4/tcp_ipv4.c (get_tcp4_sock, get_timewait4_sock).
const (
	TimerNone       TimerKind = 0
	TimerRetransmit TimerKind = 1 // retransmission, loss probe or reordering timer
	TimerKeepalive  TimerKind = 2 // sk_timer: keepalive, or a full socket's FIN_WAIT2 timer
	TimerTimeWait   TimerKind = 3 // a timewait socket's timer (TIME_WAIT or an orphaned FIN_WAIT2)
	TimerProbe      TimerKind = 4 // zero-window probe
)

// String names the timer kind.
func (k TimerKind) String() string {
	switch k {
	case TimerNone:
		return "none"
	case TimerRetransmit:
		return "retransmit"
	case TimerKeepalive:
		return "keepalive"
	case TimerTimeWait:
		return "timewait"
	case TimerProbe:
		return "probe"
	}
	return fmt.Sprintf("timer(%d)", uint8(k))
}

// Socket is one line of /proc/net/tcp.
type Socket struct {
	Local       netip.AddrPort `json:"local"`
	Remote      netip.AddrPort `json:"remote"`
	State       TCPState       `json:"state"`
	TimerKind   TimerKind      `json:"timer_kind"`
	Timer       time.Duration  `json:"timer"` // time until the timer fires, in 10 ms steps (USER_HZ = 100)
	Retransmits int            `json:"retransmits"`
	Inode       uint64         `json:"inode"`
}

// String describes the socket: "10.0.0.1:8080>10.0.0.2:40000 TIME_WAIT
// timer=59.98s".
func (s Socket) String() string {
	str := fmt.Sprintf("%s>%s %s", s.Local, s.Remote, s.State)
	if s.TimerKind != TimerNone {
		str += fmt.Sprintf(" timer=%.2fs", s.Timer.Seconds())
	}
	return str
}

// userHZ is the clock-tick rate /proc/net/tcp writes timers in
// (jiffies_delta_to_clock_t): 100 on Linux.
const userHZ = 100

// ParseProcNetTCP reads the text of /proc/net/tcp (IPv4 only), whose
// addresses are the network-order words printed as host-order hex: it
// reads them in this machine's byte order.
func ParseProcNetTCP(r io.Reader) ([]Socket, error) {
	return parseProcNetTCP(r, binary.NativeEndian)
}

func parseProcNetTCP(r io.Reader, order binary.ByteOrder) ([]Socket, error) {
	sc := bufio.NewScanner(r)
	var out []Socket
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if line == 1 {
			if len(f) == 0 || f[0] != "sl" {
				return nil, fmt.Errorf("/proc/net/tcp line 1: want the header starting with sl, got %q", sc.Text())
			}
			continue
		}
		if len(f) == 0 {
			continue
		}
		s, err := parseProcNetLine(f, order)
		if err != nil {
			return nil, fmt.Errorf("/proc/net/tcp line %d: %v", line, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("/proc/net/tcp: %v", err)
	}
	return out, nil
}

// parseProcNetLine reads the fields "sl local rem st tx:rx tr:when
// retrnsmt uid timeout inode ...".
func parseProcNetLine(f []string, order binary.ByteOrder) (Socket, error) {
	if len(f) < 10 {
		return Socket{}, fmt.Errorf("%d fields, want at least 10", len(f))
	}
	local, err := parseHexAddrPort(f[1], order)
	if err != nil {
		return Socket{}, err
	}
	remote, err := parseHexAddrPort(f[2], order)
	if err != nil {
		return Socket{}, err
	}
	st, err := strconv.ParseUint(f[3], 16, 8)
	if err != nil {
		return Socket{}, fmt.Errorf("bad state %q", f[3])
	}
	tr, when, ok := strings.Cut(f[5], ":")
	kind, err1 := strconv.ParseUint(tr, 16, 8)
	ticks, err2 := strconv.ParseUint(when, 16, 64)
	if !ok || err1 != nil || err2 != nil {
		return Socket{}, fmt.Errorf("bad timer %q", f[5])
	}
	rtx, err := strconv.ParseUint(f[6], 16, 32)
	if err != nil {
		return Socket{}, fmt.Errorf("bad retransmit count %q", f[6])
	}
	inode, err := strconv.ParseUint(f[9], 10, 64)
	if err != nil {
		return Socket{}, fmt.Errorf("bad inode %q", f[9])
	}
	if ticks > 1<<40 {
		return Socket{}, fmt.Errorf("timer %q out of range", f[5])
	}
	return Socket{
		Local: local, Remote: remote, State: TCPState(st),
		TimerKind: TimerKind(kind), Timer: time.Duration(ticks) * time.Second / userHZ,
		Retransmits: int(rtx), Inode: inode,
	}, nil
}

// parseHexAddrPort reads "0100000A:1F90".
func parseHexAddrPort(s string, order binary.ByteOrder) (netip.AddrPort, error) {
	a, p, ok := strings.Cut(s, ":")
	word, err1 := strconv.ParseUint(a, 16, 32)
	port, err2 := strconv.ParseUint(p, 16, 16)
	if !ok || len(a) != 8 || err1 != nil || err2 != nil {
		return netip.AddrPort{}, fmt.Errorf("bad IPv4 address:port %q", s)
	}
	var b [4]byte
	order.PutUint32(b[:], uint32(word))
	return netip.AddrPortFrom(netip.AddrFrom4(b), uint16(port)), nil
}

// findSocket returns the entry for the script's connection (kernel address
// and port to the peer's) or, with listener, the kernel port's listening
// socket; nil when there is none.
func findSocket(socks []Socket, ep endpoints, listener bool) *Socket {
	for i, s := range socks {
		if s.Local != ep.kernel {
			continue
		}
		if listener && s.State == StateListen || !listener && s.Remote == ep.peer {
			return &socks[i]
		}
	}
	return nil
}
