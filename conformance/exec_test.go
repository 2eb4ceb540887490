package conformance

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeWire stands for the TUN device: every datagram the executor writes
// is decoded and handed to respond, whose replies are queued at once, as
// if the kernel had answered before the next read.
type fakeWire struct {
	packetQueue
	t       *testing.T
	writes  [][]byte
	respond func(Segment) []Segment
}

func newFakeWire(t *testing.T, respond func(Segment) []Segment) *fakeWire {
	return &fakeWire{packetQueue: newPacketQueue(), t: t, respond: respond}
}

func (w *fakeWire) write(b []byte) error {
	w.writes = append(w.writes, append([]byte(nil), b...))
	seg, err := Decode(b)
	require.NoError(w.t, err, "the executor wrote an undecodable datagram")
	if w.respond != nil {
		for _, r := range w.respond(seg) {
			w.push(r)
		}
	}
	return nil
}

func (w *fakeWire) push(s Segment) {
	b, err := s.Marshal()
	require.NoError(w.t, err)
	w.ch <- packet{at: time.Now(), data: b}
}

// fakeHost stands for the kernel's application and socket table.
type fakeHost struct {
	ops    []string
	err    error      // returned by every do
	tables [][]Socket // successive socket tables; the last one repeats
	reads  int
}

func (h *fakeHost) do(op appOp) error {
	h.ops = append(h.ops, op.String())
	return h.err
}

func (h *fakeHost) sockets() ([]Socket, error) {
	if len(h.tables) == 0 {
		return nil, nil
	}
	i := min(h.reads, len(h.tables)-1)
	h.reads++
	return h.tables[i], nil
}

// kernelSeg is a segment from the kernel to the peer in testEndpoints.
func kernelSeg(f Flags, seq, ack uint32) Segment {
	ep := testEndpoints()
	return Segment{Src: ep.kernel, Dst: ep.peer, Flags: f, Seq: seq, Ack: ack, Window: 502, TTL: 64}
}

func testScript(steps ...Step) Script {
	return Script{Name: "t", KernelPort: 8080, PeerPort: 40000, Vars: Bindings{"p": 1000000}, Steps: steps}
}

func runFake(t *testing.T, s Script, w *fakeWire, h *fakeHost) Report {
	t.Helper()
	steps, err := s.compile()
	require.NoError(t, err)
	return execute(s, steps, w, h)
}

// toyKernel answers like a listening Linux with ISN 500: SYN|ACK to a SYN,
// and to a FIN an ACK and its own FIN|ACK as two segments.
func toyKernel(s Segment) []Segment {
	switch {
	case s.Flags == SYN:
		return []Segment{kernelSeg(SYN|ACK, 500, s.Seq+1)}
	case s.Flags == FIN|ACK:
		return []Segment{kernelSeg(ACK, s.Ack, s.Seq+1), kernelSeg(FIN|ACK, s.Ack, s.Seq+1)}
	}
	return nil
}

func TestExecuteConforms(t *testing.T) {
	est := Socket{Local: testEndpoints().kernel, Remote: testEndpoints().peer, State: StateEstablished}
	w, h := newFakeWire(t, toyKernel), &fakeHost{tables: [][]Socket{{est}}}
	s := testScript(
		Send("SYN seq=p"),
		Expect(time.Second, "SYN|ACK seq=k ack=p+1"),
		Send("ACK seq=p+1 ack=k+1"),
		App("accept"),
		State("ESTABLISHED", 0),
		Send("FIN|ACK seq=p+1 ack=k+1"),
		Expect(time.Second, "FIN|ACK seq=k+1 ack=p+2", "ACK seq=k+1 ack=p+2; FIN|ACK seq=k+1 ack=p+2"),
		Resend(6),
		Expect(time.Second, "ACK seq=k+1 ack=p+2; FIN|ACK seq=k+1 ack=p+2"),
		Silence(20*time.Millisecond),
	)
	rep := runFake(t, s, w, h)
	require.Equal(t, Verdict{Outcome: Conforms}, rep.Verdict)
	require.Equal(t, Bindings{"p": 1000000, "k": 500}, rep.Bindings)
	require.Len(t, rep.Steps, len(s.Steps))
	for i, st := range rep.Steps {
		require.True(t, st.OK, "step %d", i+1)
		require.Equal(t, i+1, st.N)
		require.Equal(t, s.Steps[i].String(), st.Step)
		require.LessOrEqual(t, st.Start, st.End)
	}
	require.Equal(t, "k=500", rep.Steps[1].Bound)
	require.Equal(t, "ACK seq=k+1 ack=p+2; FIN|ACK seq=k+1 ack=p+2", rep.Steps[6].Matched)
	require.Equal(t, "10.0.0.1:8080>10.0.0.2:40000 ESTABLISHED", rep.Steps[4].Observed)
	require.Equal(t, []string{"accept"}, h.ops)
	require.Len(t, w.writes, 4)
	require.Equal(t, w.writes[2], w.writes[3], "resend writes the same octets")
	require.Equal(t, "step 6 resent byte for byte", rep.Steps[7].Events[0].Note)
	ev := rep.Steps[1].Events[0]
	require.Equal(t, KernelToPeer, ev.Dir)
	require.Equal(t, "SYN|ACK seq=k ack=p+1 win=502", ev.Segment)
	require.Equal(t, "10.0.0.1:8080>10.0.0.2:40000 SYN|ACK seq=500 ack=1000001 win=502 len=0", ev.Raw)
	require.Equal(t, PeerToKernel, rep.Steps[0].Events[0].Dir)
	require.Equal(t, "SYN seq=p win=65535", rep.Steps[0].Events[0].Segment)
}

func TestExecuteDiverges(t *testing.T) {
	ep := testEndpoints()
	tw := Socket{Local: ep.kernel, Remote: ep.peer, State: StateTimeWait, TimerKind: TimerTimeWait, Timer: 59 * time.Second}
	cases := []struct {
		name     string
		steps    []Step
		respond  func(Segment) []Segment
		host     *fakeHost
		fold     bool
		step     int
		outcome  Outcome
		expected string
		got      string // a prefix of Verdict.Got
	}{
		{"wrong flags", []Step{Send("SYN seq=9000"), Expect(time.Second, "RST seq=0")},
			func(s Segment) []Segment { return []Segment{kernelSeg(RST|ACK, 0, s.Seq+1)} }, nil, false,
			2, Diverges, "RST seq=0 within 1s", "RST|ACK seq=0 ack=9001 win=502 at +"},
		{"no reply", []Step{Send("RST seq=1"), Expect(30*time.Millisecond, "ACK")}, nil, nil, false,
			2, Diverges, "ACK within 30ms", "nothing more"},
		{"half an alternative", []Step{Send("FIN|ACK seq=p ack=1"), Expect(30*time.Millisecond, "ACK; FIN|ACK; RST")}, toyKernel, nil, false,
			2, Diverges, "ACK; FIN|ACK; RST within 30ms", "only 2 of its 3 segments"},
		{"silence broken", []Step{Send("FIN seq=5000"), Silence(time.Second)},
			func(s Segment) []Segment { return []Segment{kernelSeg(RST|ACK, 0, 5001)} }, nil, false,
			2, Diverges, "silence for 1s", "RST|ACK seq=0 ack=5001 win=502 at +"},
		{"duplicate reply breaks silence", []Step{Send("FIN seq=5000"), Expect(time.Second, "RST|ACK"), Silence(20 * time.Millisecond)},
			func(s Segment) []Segment { return []Segment{kernelSeg(RST|ACK, 0, 5001), kernelSeg(RST|ACK, 0, 5001)} }, nil, false,
			3, Diverges, "silence for 20ms", "RST|ACK seq=0 ack=5001"},
		{"unexpected trailing segment", []Step{Send("SYN seq=p")}, toyKernel, nil, false,
			2, Diverges, "no segment that no step accounts for", "SYN|ACK seq=500 ack=p+1 win=502 at +"},
		{"wrong state", []Step{State("ESTABLISHED", 0)}, nil, &fakeHost{tables: [][]Socket{{tw}}}, false,
			1, Diverges, "ESTABLISHED", "10.0.0.1:8080>10.0.0.2:40000 TIME_WAIT timer=59.00s"},
		{"timer out of bounds", []Step{State("TIME_WAIT timer>=59.5s", 30*time.Millisecond)}, nil, &fakeHost{tables: [][]Socket{{tw}}}, false,
			1, Diverges, "TIME_WAIT timer>=59.5s within 30ms", "10.0.0.1:8080>10.0.0.2:40000 TIME_WAIT"},
		{"gone", []Step{State("TIME_WAIT", 0)}, nil, &fakeHost{}, false,
			1, Diverges, "TIME_WAIT", "GONE"},
		{"kernel refuses an app action", []Step{App("connect")}, nil, &fakeHost{err: &kernelRefused{errors.New("connect: EADDRNOTAVAIL")}}, false,
			1, Diverges, "app connect to succeed", "connect: EADDRNOTAVAIL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := c.host
			if h == nil {
				h = &fakeHost{}
			}
			s := testScript(c.steps...)
			s.FoldRetransmissions = c.fold
			rep := runFake(t, s, newFakeWire(t, c.respond), h)
			v := rep.Verdict
			require.Equal(t, c.outcome, v.Outcome, v.String())
			require.Equal(t, c.step, v.Step, v.String())
			require.Equal(t, c.expected, v.Expected)
			require.True(t, strings.HasPrefix(v.Got, c.got), "got %q, want prefix %q", v.Got, c.got)
			if c.step <= len(c.steps) {
				require.Len(t, rep.Steps, c.step, "no step runs after the divergence")
				require.False(t, rep.Steps[c.step-1].OK)
			} else {
				require.NotEmpty(t, rep.Trailing)
			}
		})
	}
}

func TestExecuteFoldRetransmissions(t *testing.T) {
	twice := func(s Segment) []Segment { return []Segment{kernelSeg(RST|ACK, 0, 5001), kernelSeg(RST|ACK, 0, 5001)} }
	s := testScript(Send("FIN seq=5000"), Expect(time.Second, "RST|ACK seq=0 ack=5001"), Silence(20*time.Millisecond))
	s.FoldRetransmissions = true
	rep := runFake(t, s, newFakeWire(t, twice), &fakeHost{})
	require.Equal(t, Conforms, rep.Verdict.Outcome, rep.Verdict.String())
	require.Equal(t, "retransmission (folded)", rep.Steps[2].Events[0].Note)

	// Folding is for repeats only: a new segment still diverges.
	other := func(s Segment) []Segment { return []Segment{kernelSeg(RST|ACK, 0, 5001), kernelSeg(RST, 7, 0)} }
	rep = runFake(t, s, newFakeWire(t, other), &fakeHost{})
	require.Equal(t, Diverges, rep.Verdict.Outcome)
	require.Equal(t, 3, rep.Verdict.Step)
}

func TestExecuteIgnoresOtherDatagrams(t *testing.T) {
	w := newFakeWire(t, nil)
	w.ch <- packet{at: time.Now(), data: []byte{0x45, 0, 0}}
	stray := kernelSeg(ACK, 1, 2)
	stray.Dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, 3}), 1)
	w.push(stray)
	w.push(kernelSeg(ACK, 1, 2))
	rep := runFake(t, testScript(Expect(time.Second, "ACK seq=1 ack=2")), w, &fakeHost{})
	require.Equal(t, Conforms, rep.Verdict.Outcome, rep.Verdict.String())
	evs := rep.Steps[0].Events
	require.Len(t, evs, 3)
	require.Equal(t, Other, evs[0].Dir)
	require.Equal(t, "undecodable datagram", evs[0].Segment)
	require.Contains(t, evs[0].Note, "shorter than an IPv4 header")
	require.Equal(t, Other, evs[1].Dir)
	require.Equal(t, "not addressed to the peer", evs[1].Note)
	require.Equal(t, KernelToPeer, evs[2].Dir)
}

func TestExecuteStatePollsUntilItHolds(t *testing.T) {
	ep := testEndpoints()
	fw2 := Socket{Local: ep.kernel, Remote: ep.peer, State: StateFinWait2, TimerKind: TimerTimeWait, Timer: time.Second}
	h := &fakeHost{tables: [][]Socket{{fw2}, {fw2}, {}}}
	rep := runFake(t, testScript(State("FIN_WAIT2 timer<=1s", 0), State("GONE", 5*time.Second)), newFakeWire(t, nil), h)
	require.Equal(t, Conforms, rep.Verdict.Outcome, rep.Verdict.String())
	require.Equal(t, 3, h.reads, "polled until the entry was gone")
	require.Equal(t, "GONE", rep.Steps[1].Observed)
}

func TestExecuteFailures(t *testing.T) {
	rep := runFake(t, testScript(App("close")), newFakeWire(t, nil), &fakeHost{err: errors.New("close: no connection socket")})
	require.Equal(t, Verdict{Outcome: Failed, Step: 1, Err: "close: no connection socket"}, rep.Verdict)
	require.Equal(t, "error at step 1: close: no connection socket", rep.Verdict.String())
}
