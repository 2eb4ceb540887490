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
	for _, c := range []struct {
		ref     string
		side    Side
		cfg     func(*Config)
		e       Endpoint
		seg     Segment
		st      ConnState
		reply   Flags
		replyTo Seq // expected SEQ of the reply when it is an RST
		check   func(t *testing.T, m *Model, e Endpoint)
	}{
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
		{ref: "§3.10.7.4 eighth FIN-WAIT-2: FIN → TIME-WAIT, start the timer, stop the others", e: finSent(FinWait2),
			seg: Segment{Flags: FIN | ACK, Seq: 3, Ack: 2}, st: TimeWait, reply: ACK,
			check: func(t *testing.T, m *Model, e Endpoint) {
				require.Equal(t, startTimer(m.twDur, 0), e.TW)
				require.True(t, e.timersOff())
			}},
		{ref: "§3.10.7.4 CLOSE-WAIT: a retransmitted FIN is acknowledged", e: with(est, func(e *Endpoint) { e.St = CloseWait }),
			seg: Segment{Flags: FIN | ACK, Seq: 2, Ack: 1}, st: CloseWait, reply: ACK},
		{ref: "§3.10.7.4 TIME-WAIT (R-FIN): retransmitted FIN is acknowledged and restarts the timer", e: tw,
			seg: Segment{Flags: FIN | ACK, Seq: 2, Ack: 2}, st: TimeWait, reply: ACK,
			check: func(t *testing.T, m *Model, e Endpoint) { require.Equal(t, startTimer(m.twDur, 0), e.TW) }},
		{ref: "§3.10.7.4 TIME-WAIT (R-FIN): an old ACK is acknowledged, the timer runs on", e: tw,
			seg: Segment{Flags: ACK, Seq: 2, Ack: 2}, st: TimeWait, reply: ACK,
			check: func(t *testing.T, m *Model, e Endpoint) { require.Equal(t, startTimer(3, 0), e.TW) }},
		{ref: "Linux/BSD (R-ACK): any ACK-bearing segment restarts TIME-WAIT", cfg: func(c *Config) { c.TWRestart = RestartOnACK }, e: tw,
			seg: Segment{Flags: ACK, Seq: 2, Ack: 2}, st: TimeWait, reply: ACK,
			check: func(t *testing.T, m *Model, e Endpoint) { require.Equal(t, startTimer(m.twDur, 0), e.TW) }},
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
		t.Run(c.ref, func(t *testing.T) {
			cfg := DefaultConfig()
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			m, err := New(cfg)
			require.NoError(t, err)
			r := m.receive(c.side, c.e, c.seg)
			require.Equal(t, c.st, r.e.St, "state after")
			if c.reply == 0 {
				require.False(t, r.hasReply, "unexpected reply %s", r.reply)
			} else {
				require.True(t, r.hasReply, "no reply")
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
}

// timersOff reports whether no retransmission timer runs.
func (e Endpoint) timersOff() bool { return !e.Rtx[0].On && !e.Rtx[1].On }
