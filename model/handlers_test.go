package model

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHandlers is the per-state segment-arrival table: one row per rule, each
// citing the text it implements. The endpoint has ISS 0 and RCV.NXT 3 unless
// a row says otherwise; "reply" is the emitted control bits (0: none).
func TestHandlers(t *testing.T) {
	est := Endpoint{St: Established, Inc: 1, SndUna: 1, SndNxt: 1, RcvNxt: 3, IRS: 0}
	with := func(e Endpoint, f func(*Endpoint)) Endpoint { f(&e); return e }
	finSent := func(st ConnState) Endpoint {
		return with(est, func(e *Endpoint) { e.St, e.AppClosed, e.SndNxt = st, true, 2; e.Rtx[SlotFIN] = startTimer(4, 0) })
	}
	tw := with(est, func(e *Endpoint) {
		e.St, e.AppClosed, e.SndUna, e.SndNxt = TimeWait, true, 2, 2
		e.TW = startTimer(3, 0)
	})
	synSent := Endpoint{St: SynSent, Inc: 2, ISS: 5, SndUna: 5, SndNxt: 6}
	synRcvd := Endpoint{St: SynReceived, Inc: 2, ISS: 5, SndUna: 5, SndNxt: 6, IRS: 2, RcvNxt: 3}
	for _, c := range []handlerCase{
		{ref: "§3.10.7.1 CLOSED: ACK-bearing segment gets <SEQ=SEG.ACK><CTL=RST>", e: Endpoint{Inc: 1},
			seg: Segment{Flags: FIN | ACK, Seq: 2, Ack: 4, Inc: 1}, st: Closed, reply: RST, replyTo: 4},
		{ref: "§3.10.7.1 CLOSED: SYN gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>", side: B, e: Endpoint{Inc: 2},
			seg: Segment{Flags: SYN, Seq: 6, Inc: 2}, st: Closed, reply: RST | ACK, replyTo: 0},
		{ref: "§3.10.7.1 CLOSED: an RST is discarded", e: Endpoint{Inc: 1}, seg: Segment{Flags: RST, Seq: 1}, st: Closed},
		{ref: "§3.10.7.2 LISTEN: any ACK gets <SEQ=SEG.ACK><CTL=RST>", side: B, e: Endpoint{St: Listen, Inc: 2},
			seg: Segment{Flags: ACK, Seq: 2, Ack: 3, Inc: 1}, st: Listen, reply: RST, replyTo: 3},
		{ref: "§3.10.7.2 LISTEN: SYN → SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>", side: B, e: Endpoint{St: Listen, Inc: 2, ISS: 4},
			seg: Segment{Flags: SYN, Seq: 6, Inc: 2}, st: SynReceived, reply: SYN | ACK,
			check: func(t *testing.T, m *Model, e Endpoint) {
				require.Equal(t, Seq(7), e.RcvNxt)
				require.True(t, e.Rtx[SlotFirst].On)
			}},
		{ref: "§3.10.7.2 LISTEN: an RST is ignored", side: B, e: Endpoint{St: Listen, Inc: 2}, seg: Segment{Flags: RST, Seq: 1}, st: Listen},
		{ref: "§3.10.7.3 SYN-SENT: acceptable SYN,ACK → ESTABLISHED and ACK", e: synSent,
			seg: Segment{Flags: SYN | ACK, Seq: 1, Ack: 6, Inc: 2}, st: Established, reply: ACK,
			check: func(t *testing.T, m *Model, e Endpoint) {
				require.Equal(t, Seq(2), e.RcvNxt)
				require.True(t, e.timersOff())
			}},
		{ref: "§3.10.7.3 SYN-SENT: SEG.ACK =< ISS gets <SEQ=SEG.ACK><CTL=RST>", e: synSent,
			seg: Segment{Flags: FIN | ACK, Seq: 2, Ack: 3, Inc: 1}, st: SynSent, reply: RST, replyTo: 3},
		{ref: "§3.10.7.3 SYN-SENT: RST with acceptable ACK → CLOSED", e: synSent,
			seg: Segment{Flags: RST | ACK, Ack: 6}, st: Closed},
		{ref: "§3.10.7.3 SYN-SENT: RST without ACK is dropped", e: synSent, seg: Segment{Flags: RST, Seq: 3}, st: SynSent},
		{ref: "§3.10.7.3 SYN-SENT: neither SYN nor RST, acceptable ACK: drop", e: synSent,
			seg: Segment{Flags: ACK, Seq: 3, Ack: 6}, st: SynSent},
		{ref: "§3.10.7.4 first: unacceptable segment gets <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", e: est,
			seg: Segment{Flags: ACK, Seq: 6, Ack: 1}, st: Established, reply: ACK},
		{ref: "§3.10.7.4 second (RFC 5961 §3.2): in-window inexact RST gets a challenge ACK", e: est,
			seg: Segment{Flags: RST, Seq: 4}, st: Established, reply: ACK},
		{ref: "§3.10.7.4 second: RST at RCV.NXT resets", e: est, seg: Segment{Flags: RST, Seq: 3}, st: Closed},
		{ref: "§3.10.7.4 second: A's abort RST <SEQ=SND.NXT> resets B with its data octet outstanding (\"enter the CLOSED state, delete the TCB\"): the data's retransmission timer goes with the TCB",
			side: B, cfg: func(c *Config) { c.CloseMode = CloseAbort },
			e:   Endpoint{St: Established, Inc: 1, SndUna: 1, SndNxt: 2, RcvNxt: 1, Data: true, Rtx: [2]Timer{startTimer(2, 0)}},
			seg: Segment{Flags: RST, Seq: 1, Inc: 1}, st: Closed,
			check: func(t *testing.T, m *Model, e Endpoint) { require.Equal(t, Endpoint{Inc: 1}, e) }},
		{ref: "§3.10.7.4 second: passive SYN-RECEIVED returns to LISTEN on RST", side: B, e: synRcvd,
			seg: Segment{Flags: RST, Seq: 3}, st: Listen},
		{ref: "§3.10.7.4 fourth (RFC 5961 §4): SYN in a synchronized state gets a challenge ACK", e: est,
			seg: Segment{Flags: SYN, Seq: 3}, st: Established, reply: ACK},
		{ref: "§3.10.7.4 fifth: SYN-RECEIVED with unacceptable ACK sends <SEQ=SEG.ACK><CTL=RST>", side: B, e: synRcvd,
			seg: Segment{Flags: ACK, Seq: 3, Ack: 2}, st: SynReceived, reply: RST, replyTo: 2},
		{ref: "§3.10.7.4 fifth: SYN-RECEIVED with acceptable ACK → ESTABLISHED", side: B, e: synRcvd,
			seg: Segment{Flags: ACK, Seq: 3, Ack: 6}, st: Established},
		{ref: "§3.10.7.4 fifth: ACK of unsent data gets an ACK", e: est, seg: Segment{Flags: ACK, Seq: 3, Ack: 2}, st: Established, reply: ACK},
		{ref: "§3.10.7.4 fifth FIN-WAIT-1: our FIN acknowledged → FIN-WAIT-2", e: finSent(FinWait1),
			seg: Segment{Flags: ACK, Seq: 3, Ack: 2}, st: FinWait2,
			check: func(t *testing.T, m *Model, e Endpoint) { require.False(t, e.Rtx[SlotFIN].On) }},
		{ref: "§3.10.7.4 fifth CLOSING: our FIN acknowledged → TIME-WAIT", e: finSent(Closing),
			seg: Segment{Flags: ACK, Seq: 3, Ack: 2}, st: TimeWait},
		{ref: "§3.10.7.4 fifth LAST-ACK: our FIN acknowledged → CLOSED", e: finSent(LastAck),
			seg: Segment{Flags: ACK, Seq: 3, Ack: 2}, st: Closed},
		{ref: "§3.10.7.4 seventh: in-order data advances RCV.NXT and is acknowledged", e: est,
			seg: Segment{Flags: ACK, Len: 1, Seq: 3, Ack: 1}, st: Established, reply: ACK,
			check: func(t *testing.T, m *Model, e Endpoint) { require.Equal(t, Seq(4), e.RcvNxt) }},
		{ref: "§3.10.7.4 eighth ESTABLISHED: FIN → CLOSE-WAIT, ACK", e: est,
			seg: Segment{Flags: FIN | ACK, Seq: 3, Ack: 1}, st: CloseWait, reply: ACK},
		{ref: "§3.10.7.4 eighth FIN-WAIT-1: FIN, our FIN not acknowledged → CLOSING", e: finSent(FinWait1),
			seg: Segment{Flags: FIN | ACK, Seq: 3, Ack: 1}, st: Closing, reply: ACK},
		{ref: "Figure 5 note 2: FIN-WAIT-1, FIN that acknowledges our FIN → TIME-WAIT", e: finSent(FinWait1),
			seg: Segment{Flags: FIN | ACK, Seq: 3, Ack: 2}, st: TimeWait, reply: ACK},
		{ref: "RFC 9293 has no FIN-WAIT-2 timer: with --fin-timeout 0, FIN-WAIT-2 runs no timer", e: finSent(FinWait1),
			seg: Segment{Flags: ACK, Seq: 3, Ack: 2}, st: FinWait2,
			check: func(t *testing.T, m *Model, e Endpoint) { require.Equal(t, Timer{}, e.TW) }},
		{ref: "Linux tcp_rcv_state_process (FIN_WAIT1 → FIN_WAIT2 of an orphan: tcp_time_wait(sk, TCP_FIN_WAIT2, tcp_fin_time)): --fin-timeout N starts the FIN-WAIT-2 timer",
			cfg: func(c *Config) { c.FinTimeout = 3 }, e: finSent(FinWait1),
			seg: Segment{Flags: ACK, Seq: 3, Ack: 2}, st: FinWait2,
			check: func(t *testing.T, m *Model, e Endpoint) {
				require.Equal(t, startTimer(3*m.cfg.Grid, 0), e.TW)
				require.False(t, e.Rtx[SlotFIN].On)
			}},
		{ref: "Linux tcp_timewait_state_process (FIN_WAIT2 substate): FIN → TIME-WAIT, the timer slot restarts with the TIME-WAIT length",
			cfg: func(c *Config) { c.FinTimeout, c.TW = 5, 1 }, e: with(finSent(FinWait2), func(e *Endpoint) { e.SndUna, e.Rtx, e.TW = 2, [2]Timer{}, startTimer(7, 0) }),
			seg: Segment{Flags: FIN | ACK, Seq: 3, Ack: 2}, st: TimeWait, reply: ACK,
			check: func(t *testing.T, m *Model, e Endpoint) { require.Equal(t, startTimer(m.tw[1], 0), e.TW) }},
		{ref: "§3.10.7.4 eighth FIN-WAIT-2: FIN → TIME-WAIT, start the timer, stop the others", e: finSent(FinWait2),
			seg: Segment{Flags: FIN | ACK, Seq: 3, Ack: 2}, st: TimeWait, reply: ACK,
			check: func(t *testing.T, m *Model, e Endpoint) {
				require.Equal(t, startTimer(m.tw[1], 0), e.TW)
				require.True(t, e.timersOff())
			}},
		{ref: "§3.10.7.4 CLOSE-WAIT: a retransmitted FIN is acknowledged", e: with(est, func(e *Endpoint) { e.St = CloseWait }),
			seg: Segment{Flags: FIN | ACK, Seq: 2, Ack: 1}, st: CloseWait, reply: ACK},
		{ref: "§3.10.7.4 TIME-WAIT (R-FIN): retransmitted FIN is acknowledged and restarts the timer", e: tw,
			seg: Segment{Flags: FIN | ACK, Seq: 2, Ack: 2}, st: TimeWait, reply: ACK,
			check: func(t *testing.T, m *Model, e Endpoint) { require.Equal(t, startTimer(m.tw[1], 0), e.TW) }},
		{ref: "§3.10.7.4 TIME-WAIT (R-FIN): an old ACK is acknowledged, the timer runs on", e: tw,
			seg: Segment{Flags: ACK, Seq: 2, Ack: 2}, st: TimeWait, reply: ACK,
			check: func(t *testing.T, m *Model, e Endpoint) { require.Equal(t, startTimer(3, 0), e.TW) }},
		{ref: "Linux/BSD (R-ACK): any ACK-bearing segment restarts TIME-WAIT", cfg: func(c *Config) { c.TWRestart = RestartOnACK }, e: tw,
			seg: Segment{Flags: ACK, Seq: 2, Ack: 2}, st: TimeWait, reply: ACK,
			check: func(t *testing.T, m *Model, e Endpoint) { require.Equal(t, startTimer(m.tw[1], 0), e.TW) }},
		{ref: "RFC 1337 F1: RST in TIME-WAIT is ignored", e: tw, seg: Segment{Flags: RST, Seq: 3}, st: TimeWait},
		{ref: "RFC 793/9293 text: an exact RST closes TIME-WAIT", cfg: func(c *Config) { c.TWRst = RstClose }, e: tw,
			seg: Segment{Flags: RST, Seq: 3}, st: Closed},
		{ref: "RFC 9293 §3.10.7.4 / RFC 5961: SYN in TIME-WAIT gets a challenge ACK", e: tw,
			seg: Segment{Flags: SYN, Seq: 3, Inc: 2}, st: TimeWait, reply: ACK},
		{ref: "mutant time-wait-ignores-fin: FIN dropped silently", cfg: func(c *Config) { c.Mutant = MutTimeWaitIgnoresFIN }, e: tw,
			seg: Segment{Flags: FIN | ACK, Seq: 2, Ack: 2}, st: TimeWait},
		{ref: "mutant time-wait-acks-rst: RST answered with ACK", cfg: func(c *Config) { c.Mutant = MutTimeWaitAcksRST }, e: tw,
			seg: Segment{Flags: RST, Seq: 3}, st: TimeWait, reply: ACK},
	} {
		c.run(t)
	}
}

// handlerCase is one row of a segment-arrival table: an endpoint of side,
// under the configuration cfg changes, receives seg (a SYN that opens a
// connection gets ISS iss) and must end in st, sending reply (0: nothing).
type handlerCase struct {
	ref     string
	side    Side
	cfg     func(*Config)
	e       Endpoint
	seg     Segment
	iss     Seq
	st      ConnState
	reply   Flags
	replyTo Seq // expected SEQ of the reply when it is an RST
	check   func(t *testing.T, m *Model, e Endpoint)
}

// run checks the row as a subtest.
func (c handlerCase) run(t *testing.T) {
	t.Run(c.ref, func(t *testing.T) {
		cfg := DefaultConfig()
		if c.cfg != nil {
			c.cfg(&cfg)
		}
		m, err := New(cfg)
		require.NoError(t, err)
		r := m.receive(c.side, c.e, c.seg, c.iss)
		require.Equal(t, c.st, r.e.St, "state after (%s)", r.note)
		if c.reply == 0 {
			require.False(t, r.hasReply, "unexpected reply %s", r.reply)
		} else {
			require.True(t, r.hasReply, "no reply (%s)", r.note)
			require.Equal(t, c.reply, r.reply.Flags)
			if c.reply.Has(RST) {
				require.Equal(t, c.replyTo, r.reply.Seq, "RST sequence number")
			}
		}
		if c.check != nil {
			c.check(t, m, r.e)
		}
	})
}

// TestUserAndTimerHandlers is the table of the rules that user calls and
// timers run (close, connect, timeouts, time passing), one row per rule, each
// citing the text it implements. A row is a whole step of the model from a
// state built for it.
func TestUserAndTimerHandlers(t *testing.T) {
	// B's data octet acknowledged both ways, both ends ESTABLISHED: the state
	// in which A's application closes.
	a := Endpoint{St: Established, Inc: 1, SndUna: 1, SndNxt: 1, RcvNxt: 2}
	b := Endpoint{St: Established, Inc: 1, SndUna: 2, SndNxt: 2, RcvNxt: 1, Data: true}
	ready := State{Ends: [2]Endpoint{a, b}, LossLeft: 1, DupLeft: 1}
	with := func(s State, f func(*State)) State { f(&s); return s }
	// A in FIN-WAIT-2 (its FIN acknowledged), B in CLOSE-WAIT.
	fin2 := with(ready, func(s *State) {
		s.Ends[A].St, s.Ends[A].AppClosed, s.Ends[A].SndUna, s.Ends[A].SndNxt = FinWait2, true, 2, 2
		s.Ends[B].St, s.Ends[B].RcvNxt = CloseWait, 2
	})
	fin2Due := with(fin2, func(s *State) { s.Ends[A].TW = startTimer(0, 0) })
	abort := func(c *Config) { c.CloseMode = CloseAbort }
	for _, c := range []struct {
		ref     string
		cfg     func(*Config)
		s       State
		act     Action
		enabled bool      // the action is enabled (false: the row checks it is not)
		handler Handler   // the rule that ran
		sent    []Segment // what it emitted (Src and Age are filled in)
		check   func(t *testing.T, m *Model, s State)
	}{
		{ref: "§3.10.4 CLOSE, ESTABLISHED (--close fin, the default): FIN, FIN-WAIT-1", s: ready, act: Action{Kind: ActClose, Side: A},
			enabled: true, handler: Handler{Established, EvClose}, sent: []Segment{{Flags: FIN | ACK, Seq: 1, Ack: 2, Inc: 1}},
			check: func(t *testing.T, m *Model, s State) { require.Equal(t, FinWait1, s.Ends[A].St) }},
		{ref: "§3.10.5 ABORT, ESTABLISHED: <SEQ=SND.NXT><CTL=RST>, delete the TCB, CLOSED (--close abort: SO_LINGER 0, Linux __tcp_close → tcp_disconnect)",
			cfg: abort, s: ready, act: Action{Kind: ActClose, Side: A},
			enabled: true, handler: Handler{Established, EvClose}, sent: []Segment{{Flags: RST, Seq: 1, Inc: 1}},
			check: func(t *testing.T, m *Model, s State) {
				require.Equal(t, Endpoint{Inc: 1}, s.Ends[A], "no FIN, no TIME-WAIT: CLOSED at once")
				require.Zero(t, s.TWEntered[A])
				require.Equal(t, b, s.Ends[B], "B learns of the abort only from the RST")
			}},
		{ref: "§3.10.5 ABORT, CLOSE-WAIT (--close-order any, B closed first): <SEQ=SND.NXT><CTL=RST>, CLOSED",
			cfg: func(c *Config) { c.CloseMode, c.CloseOrder = CloseAbort, AnyFirst }, act: Action{Kind: ActClose, Side: A},
			s: with(ready, func(s *State) {
				s.Ends[A].St, s.Ends[A].RcvNxt = CloseWait, 3
				s.Ends[B].St, s.Ends[B].AppClosed, s.Ends[B].SndNxt = FinWait1, true, 3
			}),
			enabled: true, handler: Handler{CloseWait, EvClose}, sent: []Segment{{Flags: RST, Seq: 1, Inc: 1}},
			check: func(t *testing.T, m *Model, s State) { require.Equal(t, Endpoint{Inc: 1}, s.Ends[A]) }},
		{ref: "--close abort is A's SO_LINGER only: B's CLOSE in CLOSE-WAIT still sends FIN (§3.10.4, LAST-ACK)",
			cfg: abort, act: Action{Kind: ActClose, Side: B},
			s:       with(fin2, func(s *State) {}),
			enabled: true, handler: Handler{CloseWait, EvClose}, sent: []Segment{{Flags: FIN | ACK, Seq: 2, Ack: 2, Inc: 1}},
			check: func(t *testing.T, m *Model, s State) { require.Equal(t, LastAck, s.Ends[B].St) }},
		{ref: "§3.10.1 OPEN from CLOSED: after an abort A may connect at once, a new incarnation (no TIME-WAIT to wait out)",
			cfg: abort, s: with(ready, func(s *State) { s.Ends[A] = Endpoint{Inc: 1} }), act: Action{Kind: ActConnect, Side: A, ISS: 3},
			enabled: true, handler: Handler{Closed, EvConnect}, sent: []Segment{{Flags: SYN, Seq: 3, Inc: 2}},
			check: func(t *testing.T, m *Model, s State) { require.Equal(t, SynSent, s.Ends[A].St) }},
		{ref: "§3.10.1 passive OPEN (model.setEnd): B, reset by A's abort RST, listens again in the same step",
			cfg: abort, act: Action{Kind: ActDeliver, Seg: Segment{Src: A, Flags: RST, Seq: 1, Inc: 1}},
			s: with(ready, func(s *State) {
				s.Ends[A] = Endpoint{Inc: 1}
				s.Net, _ = s.Net.add(Segment{Src: A, Flags: RST, Seq: 1, Inc: 1})
			}),
			enabled: true, handler: Handler{Established, EvRST},
			check: func(t *testing.T, m *Model, s State) { require.Equal(t, Endpoint{St: Listen, Inc: 2}, s.Ends[B]) }},
		{ref: "Linux tcp_fin_timeout (ip-sysctl: an orphaned FIN_WAIT_2 \"is aborted at the local end\"; the timewait socket is killed, nothing sent): FIN-WAIT-2 timer expiry → CLOSED",
			cfg: func(c *Config) { c.FinTimeout = 1 }, s: fin2Due, act: Action{Kind: ActTimeout, Side: A, Timer: TimerTW},
			enabled: true, handler: Handler{FinWait2, EvFinTimeout},
			check: func(t *testing.T, m *Model, s State) {
				require.Equal(t, Endpoint{Inc: 1}, s.Ends[A])
				require.Zero(t, s.TWEntered[A], "A never entered TIME-WAIT")
			}},
		{ref: "§3.10.8 TIME-WAIT expiry is still tw-timeout when --fin-timeout is set", cfg: func(c *Config) { c.FinTimeout = 1 },
			s: with(fin2Due, func(s *State) { s.Ends[A].St = TimeWait }), act: Action{Kind: ActTimeout, Side: A, Timer: TimerTW},
			enabled: true, handler: Handler{TimeWait, EvTWTimeout},
			check: func(t *testing.T, m *Model, s State) { require.Equal(t, Endpoint{Inc: 1}, s.Ends[A]) }},
		{ref: "the FIN-WAIT-2 timer counts down like the others: a tick takes one sub-tick off", cfg: func(c *Config) { c.FinTimeout = 1 },
			s: with(fin2, func(s *State) { s.Ends[A].TW = startTimer(2, 0) }), act: Action{Kind: ActTick}, enabled: true,
			check: func(t *testing.T, m *Model, s State) { require.Equal(t, startTimer(1, 0), s.Ends[A].TW) }},
		{ref: "time cannot pass a due FIN-WAIT-2 expiry (--same-instant any-order: an expiring timer is urgent)", cfg: func(c *Config) { c.FinTimeout = 1 },
			s: fin2Due, act: Action{Kind: ActTick}},
		{ref: "a FIN-WAIT-2 timer that is not due does not fire", cfg: func(c *Config) { c.FinTimeout = 1 },
			s: with(fin2, func(s *State) { s.Ends[A].TW = startTimer(1, 0) }), act: Action{Kind: ActTimeout, Side: A, Timer: TimerTW}},
		{ref: "§3.10.7.1 CLOSED: B's FIN reaching A after its FIN-WAIT-2 timed out gets <SEQ=SEG.ACK><CTL=RST>", cfg: func(c *Config) { c.FinTimeout = 1 },
			act: Action{Kind: ActDeliver, Seg: Segment{Src: B, Flags: FIN | ACK, Seq: 2, Ack: 2, Inc: 1}},
			s: with(fin2, func(s *State) {
				s.Ends[A] = Endpoint{Inc: 1}
				s.Net, _ = s.Net.add(Segment{Src: B, Flags: FIN | ACK, Seq: 2, Ack: 2, Inc: 1})
			}),
			enabled: true, handler: Handler{Closed, EvFIN}, sent: []Segment{{Flags: RST, Seq: 2, Inc: 1, Orphan: true}}},
	} {
		t.Run(c.ref, func(t *testing.T) {
			cfg := DefaultConfig()
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			m, err := New(cfg)
			require.NoError(t, err)
			next, l, ok := m.Step(c.s, c.act)
			require.Equal(t, c.enabled, ok, "enabled")
			if !ok {
				return
			}
			require.Equal(t, c.handler, l.Handler, "handler")
			var side Side
			switch c.act.Kind {
			case ActDeliver:
				side = c.act.Seg.Src.Peer()
			default:
				side = c.act.Side
			}
			want := make([]Segment, len(c.sent))
			for i, g := range c.sent {
				g.Src = side
				want[i] = g
			}
			require.Equal(t, want, append([]Segment{}, l.Emitted()...), "emitted")
			if c.check != nil {
				c.check(t, m, next)
			}
		})
	}
}

// timersOff reports whether no retransmission timer runs.
func (e Endpoint) timersOff() bool { return !e.Rtx[0].On && !e.Rtx[1].On }
