package model

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSpaceArithmetic checks the modular arithmetic in every space against
// the default Seq methods (space 8) and against half-space comparison.
func TestSpaceArithmetic(t *testing.T) {
	for _, n := range []int{8, 16, 32, 64} {
		sp := Space(n)
		for a := 0; a < n; a++ {
			for d := -n; d <= n; d++ {
				require.Equal(t, Seq(((a+d)%n+n)%n), sp.Add(Seq(a), d))
			}
			for b := 0; b < n; b++ {
				dist := ((b - a) + n) % n
				require.Equal(t, dist > 0 && dist < n/2, sp.LT(Seq(a), Seq(b)), "space %d: %d < %d", n, a, b)
				if n == SeqSpace {
					require.Equal(t, Seq(a).LT(Seq(b)), sp.LT(Seq(a), Seq(b)))
					require.Equal(t, Seq(a).Sub(Seq(b)), sp.Sub(Seq(a), Seq(b)))
				}
			}
		}
	}
}

// TestFaithfulValidate: every parameter of the sequence-faithful mode is
// range-checked with a one-line error naming it.
func TestFaithfulValidate(t *testing.T) {
	for _, c := range []struct {
		set  func(*Config)
		want string
	}{
		{func(c *Config) { c.SeqSpace = 12 }, "seq-space"},
		{func(c *Config) { c.SeqSpace = 128 }, "seq-space"},
		{func(c *Config) { c.Window = 3 }, "window"},
		{func(c *Config) { c.DataLen = 4 }, "data-len"},
		{func(c *Config) { c.DataLen = 3 }, "data-len 3 does not fit"},
		{func(c *Config) { c.ISNClock = -1 }, "isn-clock"},
		{func(c *Config) { c.ISNClock, c.ISNStart = 1, 8 }, "isn-start"},
		{func(c *Config) { c.ISNStart = 1 }, "isn-start needs an ISN clock"},
		{func(c *Config) { c.ISNClock = 9 }, "isn-clock must be 0..8"},
		{func(c *Config) { c.ISNClock, c.Grid = 4, 2 }, "grid 2 is coarser than the ISN clock"},
		{func(c *Config) { c.TWReuse = 1 }, "tw-reuse needs timestamps"},
		{func(c *Config) { c.TSCache = true }, "ts-cache needs timestamps"},
		{func(c *Config) { c.TWSyn = 9 }, "tw-syn"},
		{func(c *Config) { c.TWRules = 9 }, "tw-rules"},
	} {
		cfg := DefaultConfig()
		c.set(&cfg)
		err := cfg.Validate()
		require.Error(t, err, c.want)
		require.Contains(t, err.Error(), c.want)
		require.NotContains(t, err.Error(), "\n")
	}
	cfg := DefaultConfig()
	cfg.SeqSpace, cfg.Window, cfg.DataLen, cfg.ISNClock, cfg.ISNStart = 64, 16, 3, 8, 63
	cfg.Timestamps, cfg.TWReuse, cfg.TSCache, cfg.TWSyn, cfg.TWRules = true, 2, true, SynLinux, TWRulesLinux
	require.NoError(t, cfg.Validate())
	require.True(t, cfg.Faithful())
	require.False(t, DefaultConfig().Faithful())
}

// TestFaithfulConfigJSON: the faithful fields round-trip through JSON and
// are absent from the default configuration's JSON.
func TestFaithfulConfigJSON(t *testing.T) {
	def, err := DefaultConfig().MarshalJSON()
	require.NoError(t, err)
	for _, f := range []string{"seq_space", "window", "data_len", "isn_clock", "isn_start", "timestamps", "tw_syn", "tw_rules", "tw_reuse", "ts_cache"} {
		require.NotContains(t, string(def), `"`+f+`"`)
	}
	cfg := DefaultConfig()
	cfg.SeqSpace, cfg.Window, cfg.DataLen, cfg.ISNClock, cfg.ISNStart = 32, 4, 2, 3, 7
	cfg.Timestamps, cfg.TWReuse, cfg.TSCache, cfg.TWSyn, cfg.TWRules = true, 1, true, SynRFC6191, TWRulesLinux
	data, err := cfg.MarshalJSON()
	require.NoError(t, err)
	back, err := ReadConfig(strings.NewReader(string(data)))
	require.NoError(t, err)
	require.Equal(t, cfg, back)
	_, err = ReadConfig(strings.NewReader(`{"tw_syn": "maybe"}`))
	require.ErrorContains(t, err, "tw_syn: unknown tw-syn rule")
}

// TestFaithfulHandlers is the segment-arrival table of the rules the
// sequence-faithful mode adds: PAWS, the Linux TIME-WAIT handler, and the
// SYN-in-TIME-WAIT rules. TIME-WAIT here has RCV.NXT 3, SND.NXT 2 and a
// TS.Recent 2 sub-ticks old (TSRecent 3).
func TestFaithfulHandlers(t *testing.T) {
	tw := Endpoint{St: TimeWait, Inc: 1, SndUna: 2, SndNxt: 2, RcvNxt: 3, AppClosed: true, Data: true, TSRecent: 3, TSInc: 1}
	tw.TW = startTimer(3, 0)
	est := Endpoint{St: Established, Inc: 1, SndUna: 1, SndNxt: 1, RcvNxt: 3, TSRecent: 3}
	ts := func(c *Config) { c.Timestamps = true }
	linux := func(rst TWRst) func(c *Config) {
		return func(c *Config) {
			c.Timestamps, c.TWRules, c.TWSyn, c.TWRst = true, TWRulesLinux, SynLinux, rst
		}
	}
	restarted := func(t *testing.T, m *Model, e Endpoint) {
		require.Equal(t, uint8(m.tw[1]), e.TW.Due, "TIME-WAIT restarted")
	}
	notRestarted := func(t *testing.T, m *Model, e Endpoint) {
		require.Equal(t, uint8(3), e.TW.Due, "TIME-WAIT not restarted")
	}
	for _, c := range []handlerCase{
		{ref: "RFC 7323 §5.3 R1: an older TSval is answered with an ACK and dropped", cfg: ts, e: est,
			seg: Segment{Flags: ACK, Len: 1, Seq: 3, Ack: 1, Age: 3}, st: Established, reply: ACK,
			check: func(t *testing.T, _ *Model, e Endpoint) { require.Equal(t, Seq(3), e.RcvNxt, "data not taken") }},
		{ref: "RFC 7323 §5.3: the same TSval passes PAWS", cfg: ts, e: est,
			seg: Segment{Flags: ACK, Len: 1, Seq: 3, Ack: 1, Age: 2}, st: Established, reply: ACK,
			check: func(t *testing.T, _ *Model, e Endpoint) { require.Equal(t, Seq(4), e.RcvNxt) }},
		{ref: "RFC 7323 §5.3 R3: a newer TSval at or below Last.ACK.sent updates TS.Recent", cfg: ts, e: est,
			seg: Segment{Flags: ACK, Len: 1, Seq: 3, Ack: 1, Age: 0}, st: Established, reply: ACK,
			check: func(t *testing.T, _ *Model, e Endpoint) { require.Equal(t, uint8(1), e.TSRecent) }},
		{ref: "RFC 7323 §5.3 R3: a segment above Last.ACK.sent does not update TS.Recent", cfg: ts, e: est,
			seg: Segment{Flags: ACK, Seq: 4, Ack: 1, Age: 0}, st: Established,
			check: func(t *testing.T, _ *Model, e Endpoint) { require.Equal(t, uint8(3), e.TSRecent) }},
		{ref: "RFC 7323 §5.2: RSTs carry no timestamp and are not subject to PAWS", cfg: ts, e: est,
			seg: Segment{Flags: RST, Seq: 3, Age: 5}, st: Closed},
		{ref: "RFC 7323 PAWS in TIME-WAIT: an old FIN copy is answered with an ACK, not taken", cfg: ts, e: tw,
			seg: Segment{Flags: FIN | ACK, Seq: 2, Ack: 2, Age: 4}, st: TimeWait, reply: ACK, check: notRestarted},
		{ref: "Linux TIME-WAIT: a bare ACK at RCV.NXT restarts TIME-WAIT silently", cfg: linux(RstClose), e: tw,
			seg: Segment{Flags: ACK, Seq: 3, Ack: 2, Age: 1}, st: TimeWait, check: restarted},
		{ref: "Linux TIME-WAIT, tcp_rfc1337=0: an RST at exactly RCV.NXT kills it", cfg: linux(RstClose), e: tw,
			seg: Segment{Flags: RST, Seq: 3, Age: 1}, st: Closed},
		{ref: "Linux TIME-WAIT: an RST off RCV.NXT is ignored", cfg: linux(RstClose), e: tw,
			seg: Segment{Flags: RST, Seq: 4, Age: 1}, st: TimeWait, check: notRestarted},
		{ref: "Linux TIME-WAIT, tcp_rfc1337=1: an RST at RCV.NXT is ignored, no restart", cfg: linux(RstIgnore), e: tw,
			seg: Segment{Flags: RST, Seq: 3, Age: 1}, st: TimeWait, check: notRestarted},
		{ref: "Linux TIME-WAIT: a retransmitted FIN gets an ACK and restarts TIME-WAIT", cfg: linux(RstClose), e: tw,
			seg: Segment{Flags: FIN | ACK, Seq: 2, Ack: 2, Age: 1}, st: TimeWait, reply: ACK, check: restarted},
		{ref: "Linux TIME-WAIT: a PAWS-rejected segment gets an ACK and restarts TIME-WAIT", cfg: linux(RstClose), e: tw,
			seg: Segment{Flags: ACK, Seq: 3, Ack: 2, Age: 4}, st: TimeWait, reply: ACK, check: restarted},
		{ref: "Linux TIME-WAIT: a new SYN without a listener gets an ACK, no restart", cfg: linux(RstClose), e: tw,
			seg: Segment{Flags: SYN, Seq: 5, Age: 0}, st: TimeWait, reply: ACK, check: notRestarted},
		{ref: "Linux TCP_TW_SYN: B hands a SYN after RCV.NXT to its listener", side: B, cfg: linux(RstClose), e: tw,
			seg: Segment{Flags: SYN, Seq: 5, Age: 0, Inc: 2}, iss: 6, st: SynReceived, reply: SYN | ACK,
			check: func(t *testing.T, _ *Model, e Endpoint) {
				require.Equal(t, Seq(6), e.ISS)
				require.Equal(t, uint8(2), e.Inc)
				require.Equal(t, uint8(1), e.TSRecent, "TS.Recent from the SYN")
				require.Equal(t, uint8(2), e.TSInc)
			}},
		{ref: "Linux TCP_TW_SYN: a newer TSval reopens even below RCV.NXT", side: B, cfg: linux(RstClose), e: tw,
			seg: Segment{Flags: SYN, Seq: 1, Age: 0, Inc: 2}, st: SynReceived, reply: SYN | ACK},
		{ref: "Linux: an old SYN (same TSval, below RCV.NXT) gets an ACK, no restart", side: B, cfg: linux(RstClose), e: tw,
			seg: Segment{Flags: SYN, Seq: 1, Age: 2, Inc: 1}, st: TimeWait, reply: ACK, check: notRestarted},
		{ref: "Linux: a SYN of a later incarnation stamped in the same sub-tick has the newer TSval", side: B, cfg: linux(RstClose), e: tw,
			seg: Segment{Flags: SYN, Seq: 1, Age: 2, Inc: 2}, st: SynReceived, reply: SYN | ACK},
		{ref: "RFC 1122 MAY-2: a SYN above RCV.NXT reopens, remembering TIME-WAIT", side: B,
			cfg: func(c *Config) { c.TWSyn = SynRFC1122 }, e: tw, seg: Segment{Flags: SYN, Seq: 4, Inc: 2}, iss: 2,
			st: SynReceived, reply: SYN | ACK,
			check: func(t *testing.T, _ *Model, e Endpoint) {
				require.Equal(t, Prev{On: true, Inc: 1, Data: true, SndNxt: 2, RcvNxt: 3}, e.Prev)
			}},
		{ref: "RFC 1122 MAY-2: a SYN at or below RCV.NXT does not reopen (challenge ACK)", side: B,
			cfg: func(c *Config) { c.TWSyn = SynRFC1122 }, e: tw, seg: Segment{Flags: SYN, Seq: 3, Inc: 2}, st: TimeWait, reply: ACK},
		{ref: "RFC 1122 MAY-2 needs a listener: A's TIME-WAIT never reopens", side: A,
			cfg: func(c *Config) { c.TWSyn = SynRFC1122 }, e: tw, seg: Segment{Flags: SYN, Seq: 4, Inc: 2}, st: TimeWait, reply: ACK},
		{ref: "RFC 6191: a newer TSval reopens whatever SEG.SEQ", side: B,
			cfg: func(c *Config) { c.TWSyn, c.Timestamps = SynRFC6191, true }, e: tw, seg: Segment{Flags: SYN, Seq: 0, Age: 0, Inc: 2},
			st: SynReceived, reply: SYN | ACK},
		{ref: "RFC 6191: an equal TSval reopens only above RCV.NXT", side: B,
			cfg: func(c *Config) { c.TWSyn, c.Timestamps = SynRFC6191, true }, e: tw, seg: Segment{Flags: SYN, Seq: 0, Age: 2, Inc: 1},
			st: TimeWait, reply: ACK},
		{ref: "RFC 6191: an older TSval is PAWS-rejected", side: B,
			cfg: func(c *Config) { c.TWSyn, c.Timestamps = SynRFC6191, true }, e: tw, seg: Segment{Flags: SYN, Seq: 5, Age: 3, Inc: 2},
			st: TimeWait, reply: ACK},
		{ref: "RFC 1122 MAY-2 (2): an RST to the reopened SYN-ACK returns to TIME-WAIT", side: B,
			cfg: func(c *Config) { c.TWSyn = SynRFC1122 },
			e: Endpoint{St: SynReceived, Inc: 2, ISS: 4, SndUna: 4, SndNxt: 5, IRS: 6, RcvNxt: 7,
				Prev: Prev{On: true, Inc: 1, Data: true, SndNxt: 2, RcvNxt: 3}},
			seg: Segment{Flags: RST, Seq: 7}, st: TimeWait,
			check: func(t *testing.T, m *Model, e Endpoint) {
				require.Equal(t, uint8(1), e.Inc)
				require.Equal(t, Seq(3), e.RcvNxt)
				require.True(t, e.TW.On)
				require.False(t, e.Prev.On)
			}},
		{ref: "tcp_tw_recycle: a listener drops a SYN older than its per-host cache", side: B,
			cfg: func(c *Config) { c.Timestamps, c.TSCache = true, true }, e: Endpoint{St: Listen, Inc: 2, TSRecent: 2},
			seg: Segment{Flags: SYN, Seq: 5, Age: 2, Inc: 2}, st: Listen},
	} {
		c.run(t)
	}
}

// TestFaithfulRulesReachable explores each faithful configuration and
// checks that the rule it adds is taken somewhere: a green check of a
// variant proves nothing if its rule never fires.
func TestFaithfulRulesReachable(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*Config)
		note string
	}{
		{"paws", func(c *Config) { c.Timestamps = true }, "PAWS: ACK, drop"},
		{"linux exact RST", func(c *Config) { c.Timestamps, c.TWRules, c.TWRst = true, TWRulesLinux, RstClose }, "RST at RCV.NXT kills TIME-WAIT"},
		{"linux bare ACK", func(c *Config) { c.Timestamps, c.TWRules = true, TWRulesLinux }, "bare ACK at RCV.NXT: restart TIME-WAIT"},
		{"rfc1122 reopen", func(c *Config) { c.CloseOrder, c.TWSyn = BThenA, SynRFC1122 }, "SYN reopens the connection from TIME-WAIT (rfc1122)"},
		// An old duplicate SYN meets TIME-WAIT when A gave up on the
		// connection that sent it (no retries) while the copy lives on
		// (MSL 2 > RTO 1) and has connected again.
		{"rfc1122 return", func(c *Config) {
			c.CloseOrder, c.TWSyn, c.Incarnations, c.MSL, c.TW, c.RTO, c.Retries, c.Loss, c.Dup = BThenA, SynRFC1122, 3, 2, 4, 1, 0, 0, 0
		}, "back to TIME-WAIT (RFC 1122)"},
		{"rfc6191 reopen", func(c *Config) { c.CloseOrder, c.TWSyn, c.Timestamps = BThenA, SynRFC6191, true }, "SYN reopens the connection from TIME-WAIT (rfc6191)"},
		{"linux reopen", func(c *Config) { c.CloseOrder, c.TWSyn, c.Timestamps, c.TWRules = BThenA, SynLinux, true, TWRulesLinux }, "SYN reopens the connection from TIME-WAIT (linux)"},
		{"tw reuse", func(c *Config) { c.Timestamps, c.TWReuse, c.TW = true, 1, 4 }, "take over TIME-WAIT (tcp_tw_reuse)"},
		// The listener's cache drops a SYN only when a newer segment from A
		// reached B first: a retransmitted SYN that met B still in
		// LAST-ACK (A's TIME-WAIT is short), then the original's duplicate.
		{"ts cache", func(c *Config) {
			c.Timestamps, c.TSCache, c.TW, c.MSL, c.RTO, c.Retries, c.Loss, c.Dup = true, true, 1, 2, 1, 1, 1, 1
		}, "per-host timestamp cache"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if testing.Short() && c.name == "ts cache" {
				t.Skip("a three-fault run found after about 20 million states; run without -short")
			}
			cfg := DefaultConfig()
			c.set(&cfg)
			m, err := New(cfg)
			require.NoError(t, err)
			seen := map[State]bool{}
			queue := m.Init()
			found := false
			for len(queue) > 0 && !found && len(seen) < 30000000 {
				s := queue[0]
				queue = queue[1:]
				m.Successors(s, func(l Label, n State) {
					if strings.Contains(l.Note, c.note) {
						found = true
					}
					if !seen[n] {
						seen[n] = true
						queue = append(queue, n)
					}
				})
			}
			require.True(t, found, "no step does %q in %d states", c.note, len(seen))
		})
	}
}

// TestISNClock: with an ISN clock the connect's ISS is the clock's reading
// (start + rate·time), the only choice offered; the clock stops once no
// further ISS can be chosen.
func TestISNClock(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SeqSpace, cfg.ISNClock, cfg.ISNStart = 16, 3, 5
	require.Equal(t, 3, cfg.EffectiveGrid(), "the grid is at least the clock's rate, so it never skips a number")
	cfg.Grid = 4
	m, err := New(cfg)
	require.NoError(t, err)
	s := m.Init()[0]
	require.Equal(t, [2]uint16{20, 20}, s.Clock, "start·grid")
	s, _, ok := m.Step(s, Action{Kind: ActTick})
	require.True(t, ok)
	s, _, ok = m.Step(s, Action{Kind: ActTick})
	require.True(t, ok)
	require.Equal(t, [2]uint16{26, 26}, s.Clock)
	require.Equal(t, Seq(6), m.clockISS(s, A), "26/4 = 6")
	// A in CLOSED: the only connect is at the clock's reading.
	s.Ends[A] = Endpoint{Inc: 1}
	list, bad := m.issChoices(s, A)
	require.False(t, bad)
	require.Equal(t, []Seq{6}, list)
	n, _, ok := m.Step(s, Action{Kind: ActConnect, Side: A, ISS: 6})
	require.True(t, ok)
	require.Equal(t, uint16(0), n.Clock[A], "A has used its last incarnation: its clock stops")
	_, _, ok = m.Step(s, Action{Kind: ActConnect, Side: A, ISS: 7})
	require.False(t, ok, "an ISS off the clock is not offered")
}

// TestDataLen: B's data segment carries DataLen octets, and its FIN follows
// them.
func TestDataLen(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SeqSpace, cfg.DataLen = 16, 3
	m, err := New(cfg)
	require.NoError(t, err)
	s := m.Init()[0]
	require.Equal(t, uint8(3), s.Net.At(0).Len)
	require.Equal(t, Seq(4), s.Ends[B].SndNxt)
	require.Equal(t, Seq(4), m.finSeq(s.Ends[B]))
	s, _, ok := m.Step(s, Action{Kind: ActDeliver, Seg: s.Net.At(0)})
	require.True(t, ok)
	require.Equal(t, Seq(4), s.Ends[A].RcvNxt)
	require.True(t, m.closeEnabled(&s, A), "A may close once it has received all three octets")
	require.False(t, m.closeEnabled(&s, B), "B may not close before its data is acknowledged")
}
