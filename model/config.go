package model

import (
	"errors"
	"fmt"
	"strings"
)

// Lifetime says whether a copy may arrive exactly MSL after it was sent.
type Lifetime uint8

// Lifetime conventions.
const (
	// Strict: a copy sent at s arrives strictly before s+MSL ("no segment is
	// older than MSL"). The default.
	Strict Lifetime = iota
	// Inclusive: a copy may arrive at exactly s+MSL.
	Inclusive
)

// SameInstant orders events that are due at the same instant.
type SameInstant uint8

// Same-instant conventions.
const (
	// AnyOrder: timer expiries and deliveries due at the same instant happen
	// in any order; time cannot pass a pending expiry. The default.
	AnyOrder SameInstant = iota
	// DeliveriesFirst: all deliveries at an instant happen before the timers
	// expiring at that instant; a copy sent by a timer arrives strictly later.
	DeliveriesFirst
)

// CloseOrder says which application may close when.
type CloseOrder uint8

// Close orders.
const (
	// AThenB: A closes first; B closes once it has received A's FIN (the
	// textbook sequence, RFC 9293 Figure 12). The default.
	AThenB CloseOrder = iota
	// AFirst: A closes first; B may close as soon as A has closed, even before
	// A's FIN arrives (simultaneous close through CLOSING, Figure 13).
	AFirst
	// AnyFirst: either side may close first, so B may be the one that holds
	// TIME-WAIT.
	AnyFirst
	// BThenA: B, the server, closes first; A closes once it has received
	// B's FIN. B holds TIME-WAIT, and A's next connection meets it there
	// (the server-side case of RFC 1122 §4.2.2.13 and RFC 6191).
	BThenA
)

// TWRestart says which arriving segments restart the TIME-WAIT timer.
type TWRestart uint8

// TIME-WAIT restart rules.
const (
	// RestartOnFIN: only a copy of the peer's FIN restarts it (RFC 9293
	// §3.10.7.4 step 5 and eighth step). The default.
	RestartOnFIN TWRestart = iota
	// RestartOnACK: any ACK-bearing segment restarts it, as Linux and BSD do.
	RestartOnACK
)

// TWRst says what an acceptable RST does to TIME-WAIT.
type TWRst uint8

// TIME-WAIT RST rules.
const (
	// RstIgnore: RST is ignored in TIME-WAIT (RFC 1337 fix F1). The default.
	RstIgnore TWRst = iota
	// RstClose: RST closes TIME-WAIT (RFC 793/9293 text; TIME-WAIT
	// assassination is possible).
	RstClose
)

// RtxRule selects how retransmission timers are kept.
type RtxRule uint8

// Retransmission rules.
const (
	// PerSegment: every unacknowledged segment has its own timer from its
	// (re)transmission. The default.
	PerSegment RtxRule = iota
	// RFC6298: one timer, restarted when new data is acknowledged (RFC 6298
	// §5.1–§5.3); on expiry the earliest unacknowledged segment is resent.
	RFC6298
)

// CloseMode says what A's application does when it closes.
type CloseMode uint8

// Close modes.
const (
	// CloseFIN: CLOSE (RFC 9293 §3.10.4): a FIN follows the data and the
	// connection closes in order. The default.
	CloseFIN CloseMode = iota
	// CloseAbort: A's first incarnation closes with SO_LINGER {l_onoff=1,
	// l_linger=0}, which turns close() into ABORT (RFC 9293 §3.10.5): it
	// sends <SEQ=SND.NXT><CTL=RST>, flushes its queues and timers and enters
	// CLOSED at once: no FIN, no TIME-WAIT (Linux __tcp_close →
	// tcp_disconnect). B's close is unchanged.
	CloseAbort
)

// TWSyn says what a SYN (without ACK) does when it reaches an endpoint in
// TIME-WAIT that could accept a new connection on the 4-tuple (B, the
// server, while incarnations remain: it has a listener).
type TWSyn uint8

// TIME-WAIT SYN rules.
const (
	// SynChallenge: RFC 9293 §3.10.7.4 fourth step with RFC 5961 §4: an
	// in-window SYN gets a challenge ACK, an out-of-window one an ACK;
	// TIME-WAIT stays. The default.
	SynChallenge TWSyn = iota
	// SynRFC1122: RFC 1122 §4.2.2.13 / RFC 9293 §3.6.1 MAY-2: a SYN whose
	// SEG.SEQ is above RCV.NXT reopens the connection from TIME-WAIT, with
	// an ISS above the largest sequence number the old incarnation used,
	// and the endpoint returns to TIME-WAIT if the SYN proves an old
	// duplicate (an acceptable RST answers its SYN-ACK).
	SynRFC1122
	// SynRFC6191: RFC 6191 §2: with timestamps seen in the old
	// incarnation, a SYN whose TSval is newer than TS.Recent (or equal,
	// with SEG.SEQ above RCV.NXT) reopens; without, SEG.SEQ above RCV.NXT
	// does. Any other SYN is dropped silently and TIME-WAIT stays.
	SynRFC6191
	// SynLinux: Linux tcp_timewait_state_process: a SYN that passes PAWS,
	// with SEG.SEQ after RCV.NXT or a newer TSval, is handed to the listener
	// (TCP_TW_SYN) with ISS = SND.NXT + RCV.WND + 2 (Linux: tw_snd_nxt +
	// 65535 + 2); without a listener, and for any other SYN, TIME-WAIT
	// answers with an ACK.
	SynLinux
)

// TWRules selects the TIME-WAIT segment handler.
type TWRules uint8

// TIME-WAIT handlers.
const (
	// TWRulesRFC: RFC 9293 §3.10.7.4 with Config.TWRestart and Config.TWRst.
	// The default.
	TWRulesRFC TWRules = iota
	// TWRulesLinux: Linux tcp_timewait_state_process (docs/variants.md): a
	// bare ACK at RCV.NXT restarts TIME-WAIT silently; an RST kills it only
	// when SEG.SEQ = RCV.NXT exactly and only with Config.TWRst close
	// (tcp_rfc1337=0), and is otherwise ignored; every other segment is
	// answered with an ACK, and restarts TIME-WAIT when it carries ACK or
	// fails PAWS. Config.TWRestart is not read.
	TWRulesLinux
)

// Mutant names a deliberately broken rule. Mutants exist so that tests can
// show each property is able to fail; they are never a default.
type Mutant uint8

// Mutants, each differing from the correct model by one rule.
const (
	// NoMutant is the correct model.
	NoMutant Mutant = iota
	// MutTimeWaitIgnoresFIN: TIME-WAIT silently drops a FIN copy instead of
	// acknowledging it and restarting its timer. Breaks
	// no-rst-on-retransmitted-fin.
	MutTimeWaitIgnoresFIN
	// MutConnectInTimeWait: a CONNECT may take over the 4-tuple while it is
	// in TIME-WAIT, discarding the TIME-WAIT TCB. Breaks
	// no-stale-segment-accepted.
	MutConnectInTimeWait
	// MutTimeWaitAcksRST: TIME-WAIT answers an RST with an ACK instead of
	// ignoring it silently (RFC 1337 F1), so an RST from a peer with no
	// connection starts an ACK/RST exchange that outlives TIME-WAIT. Breaks
	// no-stale-reset.
	MutTimeWaitAcksRST
)

var (
	lifetimeNames    = []string{"strict", "inclusive"}
	sameInstantNames = []string{"any-order", "deliveries-first"}
	closeOrderNames  = []string{"a-then-b", "a-first", "any", "b-then-a"}
	twRestartNames   = []string{"fin", "ack"}
	twRstNames       = []string{"ignore", "close"}
	rtxNames         = []string{"per-segment", "rfc6298"}
	closeModeNames   = []string{"fin", "abort"}
	twSynNames       = []string{"challenge", "rfc1122", "rfc6191", "linux"}
	twRulesNames     = []string{"rfc", "linux"}
	mutantNames      = []string{"none", "time-wait-ignores-fin", "connect-in-time-wait", "time-wait-acks-rst"}
)

func enumString(names []string, v uint8) string {
	if int(v) < len(names) {
		return names[v]
	}
	return fmt.Sprintf("invalid(%d)", v)
}

func enumParse(names []string, what, s string) (uint8, error) {
	for i, n := range names {
		if n == s {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (want one of: %s)", what, s, strings.Join(names, ", "))
}

// String returns the flag spelling of the convention.
func (v Lifetime) String() string { return enumString(lifetimeNames, uint8(v)) }

// String returns the flag spelling of the convention.
func (v SameInstant) String() string { return enumString(sameInstantNames, uint8(v)) }

// String returns the flag spelling of the close order.
func (v CloseOrder) String() string { return enumString(closeOrderNames, uint8(v)) }

// String returns the flag spelling of the rule.
func (v TWRestart) String() string { return enumString(twRestartNames, uint8(v)) }

// String returns the flag spelling of the rule.
func (v TWRst) String() string { return enumString(twRstNames, uint8(v)) }

// String returns the flag spelling of the rule.
func (v RtxRule) String() string { return enumString(rtxNames, uint8(v)) }

// String returns the flag spelling of the close mode.
func (v CloseMode) String() string { return enumString(closeModeNames, uint8(v)) }

// String returns the flag spelling of the rule.
func (v TWSyn) String() string { return enumString(twSynNames, uint8(v)) }

// String returns the flag spelling of the handler.
func (v TWRules) String() string { return enumString(twRulesNames, uint8(v)) }

// ParseTWSyn parses "challenge", "rfc1122", "rfc6191" or "linux".
func ParseTWSyn(s string) (TWSyn, error) {
	v, err := enumParse(twSynNames, "tw-syn rule", s)
	return TWSyn(v), err
}

// ParseTWRules parses "rfc" or "linux".
func ParseTWRules(s string) (TWRules, error) {
	v, err := enumParse(twRulesNames, "tw-rules handler", s)
	return TWRules(v), err
}

// String returns the flag spelling of the mutant.
func (v Mutant) String() string { return enumString(mutantNames, uint8(v)) }

// ParseLifetime parses "strict" or "inclusive".
func ParseLifetime(s string) (Lifetime, error) {
	v, err := enumParse(lifetimeNames, "lifetime", s)
	return Lifetime(v), err
}

// ParseSameInstant parses "any-order" or "deliveries-first".
func ParseSameInstant(s string) (SameInstant, error) {
	v, err := enumParse(sameInstantNames, "same-instant order", s)
	return SameInstant(v), err
}

// ParseCloseOrder parses "a-then-b", "a-first", "any" or "b-then-a".
func ParseCloseOrder(s string) (CloseOrder, error) {
	v, err := enumParse(closeOrderNames, "close order", s)
	return CloseOrder(v), err
}

// ParseTWRestart parses "fin" or "ack".
func ParseTWRestart(s string) (TWRestart, error) {
	v, err := enumParse(twRestartNames, "tw-restart rule", s)
	return TWRestart(v), err
}

// ParseTWRst parses "ignore" or "close".
func ParseTWRst(s string) (TWRst, error) {
	v, err := enumParse(twRstNames, "tw-rst rule", s)
	return TWRst(v), err
}

// ParseRtxRule parses "per-segment" or "rfc6298".
func ParseRtxRule(s string) (RtxRule, error) {
	v, err := enumParse(rtxNames, "rtx rule", s)
	return RtxRule(v), err
}

// ParseCloseMode parses "fin" or "abort".
func ParseCloseMode(s string) (CloseMode, error) {
	v, err := enumParse(closeModeNames, "close mode", s)
	return CloseMode(v), err
}

// ParseMutant parses a mutant name ("none" is the correct model).
func ParseMutant(s string) (Mutant, error) {
	v, err := enumParse(mutantNames, "mutant", s)
	return Mutant(v), err
}

// Mutants lists every mutant name except "none", in a fixed order.
func Mutants() []string { return append([]string(nil), mutantNames[1:]...) }

// Config is one configuration of the model. The zero value is not valid; start
// from [DefaultConfig]. Times are in ticks.
type Config struct {
	MSL          int // maximum segment lifetime, ticks (≥ 1)
	TW           int // TIME-WAIT length, ticks (≥ 0): the parameter under test
	RTO          int // initial retransmission timeout, ticks; 0 = equal to MSL
	Backoff      int // RTO multiplier after each retransmission (≥ 1)
	Retries      int // retransmissions of one segment before giving up
	Loss         int // copies the network may drop, in total
	Dup          int // copies the network may duplicate, in total
	Incarnations int // connections on the 4-tuple: the first plus reuses (1..7)
	Grid         int // sub-ticks per tick; 0 = the exact grid for Lifetime
	// FinTimeout is Linux's tcp_fin_timeout, ticks: an orphaned FIN-WAIT-2
	// (its application has closed, as it always has in the model) gives up
	// after this long and goes to CLOSED silently. 0 = no FIN-WAIT-2 timer
	// (RFC 9293 has none). The timer uses the TIME-WAIT timer's slot
	// (Endpoint.TW, TimerTW), as Linux's tw_timer times both.
	FinTimeout int

	Lifetime    Lifetime
	SameInstant SameInstant
	CloseOrder  CloseOrder
	CloseMode   CloseMode // how A's first incarnation closes: FIN (default) or abort
	TWRestart   TWRestart
	TWRst       TWRst
	Rtx         RtxRule
	DataUnacked bool // closes may begin while B's data is unacknowledged
	// NoData: B's first incarnation sends no data, so both sides start
	// ESTABLISHED with nothing in flight and either may close at once. With
	// one incarnation and CloseOrder AnyFirst the configuration is
	// symmetric ([Config.Symmetric]).
	NoData bool
	Mutant Mutant
	// LateFaults offers the network's drops and duplications at every age
	// of a copy, the unreduced transition relation. By default (false)
	// [Model.Successors] offers them only while the copy is at age 0, in
	// the instant it was sent: a later drop or duplication reaches no state
	// that an earlier one does not reach (or a rotated or canonical twin of)
	// in as many steps (docs/model.md, "Fault timing"), so the verdicts and
	// shortest lengths are the same, with fewer transitions and at most as
	// many states. [Model.Step] accepts either.
	LateFaults bool

	// The sequence-faithful mode (docs/model.md, "Sequence numbers"). The
	// zero values keep the default model: an 8-number space in which the
	// adversary chooses every ISS (the worst-case overlap).

	// SeqSpace is the size of the sequence space: 8 (0 means 8), 16, 32
	// or 64.
	SeqSpace int
	// Window is RCV.WND, the receive window of the acceptability test
	// (0 means RcvWnd = 2); at most a quarter of the space.
	Window int
	// DataLen is the number of octets in B's data segment (0 means 1; at
	// most 3).
	DataLen int
	// ISNClock is the ISN clock (RFC 6528: ISN = M + F(4-tuple), F
	// constant for the 4-tuple): the sequence numbers it advances per
	// tick. Every new incarnation's ISS is then the clock's reading, not
	// the adversary's choice. 0 means no clock: the adversary picks any
	// ISS.
	ISNClock int
	// ISNStart is the ISN clock's reading, on both sides, when the model
	// starts (the first incarnation used ISS 0, so it says how far the clock
	// has moved since that connection began), 0..SeqSpace-1.
	ISNStart int
	// Timestamps turns on RFC 7323 timestamps on every segment but RSTs,
	// from a clock that is monotone across incarnations (RFC 6191) and
	// ticks every sub-tick, and PAWS in the synchronized states.
	Timestamps bool
	// TWSyn says what a SYN does to a TIME-WAIT that could accept it.
	TWSyn TWSyn
	// TWRules selects the TIME-WAIT handler: RFC 9293 or Linux's.
	TWRules TWRules
	// TWReuse is Linux tcp_tw_reuse: A may connect over its own TIME-WAIT
	// once it has held it this many ticks and has seen timestamps; the new
	// ISS is SND.NXT + RCV.WND + 2 and TS.Recent is inherited. 0 = off.
	TWReuse int
	// TSCache is Linux tcp_tw_recycle's per-host timestamp cache: an
	// endpoint keeps TS.Recent when its TCB is deleted, a new connection
	// starts with it, and a listener drops a SYN whose TSval is older.
	TSCache bool
	// Rules, if non-nil, overrides individual rules (see [Rules]). It is
	// not part of the JSON form: trace files name the variant that set it
	// and record its [RulesDigest].
	Rules *Rules

	_ struct{}
}

// DefaultConfig is the textbook setting with MSL = 1 tick and TIME-WAIT =
// 2·MSL: RFC 9293 rules, an orderly close (CloseFIN) and no FIN-WAIT-2
// timer (FinTimeout 0).
func DefaultConfig() Config {
	return Config{MSL: 1, TW: 2, Backoff: 2, Retries: 3, Loss: 1, Dup: 1, Incarnations: 2,
		CloseMode: CloseFIN, FinTimeout: 0}
}

// MaxTicks bounds MSL and RTO (TW may be up to 4·MaxTicks); Validate also
// checks that every countdown fits the model's 8-bit timers on the grid used.
const MaxTicks = 60

// EffectiveRTO is the initial retransmission timeout in ticks (RTO, or MSL
// when RTO is 0).
func (c Config) EffectiveRTO() int {
	if c.RTO == 0 {
		return c.MSL
	}
	return c.RTO
}

// EffectiveGrid is the number of sub-ticks per tick: Grid, or when it is 0,
// 1 for inclusive bounds and 2 for strict ones. A strict grid is exact only
// for properties whose threshold chains have at most that many hops; callers
// checking properties should set Grid with verify.ExactGrid (docs/model.md,
// "Time"), as verify.Check does.
func (c Config) EffectiveGrid() int {
	if c.Grid != 0 {
		return c.Grid
	}
	if c.Lifetime == Inclusive {
		return max(1, c.ISNClock)
	}
	return max(2, c.ISNClock)
}

// EffectiveSeqSpace is the size of the sequence space (SeqSpace, or 8).
func (c Config) EffectiveSeqSpace() int {
	if c.SeqSpace == 0 {
		return SeqSpace
	}
	return c.SeqSpace
}

// EffectiveWindow is RCV.WND (Window, or RcvWnd).
func (c Config) EffectiveWindow() int {
	if c.Window == 0 {
		return RcvWnd
	}
	return c.Window
}

// EffectiveDataLen is the length of B's data segment (DataLen, or 1).
func (c Config) EffectiveDataLen() int {
	if c.DataLen == 0 {
		return 1
	}
	return c.DataLen
}

// Faithful reports whether the configuration uses any part of the
// sequence-faithful mode.
func (c Config) Faithful() bool {
	return c.SeqSpace > SeqSpace || c.Window > 0 && c.Window != RcvWnd || c.DataLen > 1 || c.ISNClock > 0 ||
		c.Timestamps || c.TWSyn != SynChallenge || c.TWRules != TWRulesRFC || c.TWReuse > 0 || c.TSCache
}

// Resolved returns the configuration with RTO and Grid made explicit. The
// other fields, CloseMode and FinTimeout included, have no implicit values
// and are returned as they are.
func (c Config) Resolved() Config {
	c.RTO = c.EffectiveRTO()
	c.Grid = c.EffectiveGrid()
	return c
}

// Validate reports the first invalid field as a one-line error.
func (c Config) Validate() error {
	switch {
	case c.MSL < 1 || c.MSL > MaxTicks:
		return fmt.Errorf("msl must be 1..%d ticks, got %d", MaxTicks, c.MSL)
	case c.TW < 0 || c.TW > MaxTicks*4:
		return fmt.Errorf("tw must be 0..%d ticks, got %d", MaxTicks*4, c.TW)
	case c.RTO < 0 || c.RTO > MaxTicks:
		return fmt.Errorf("rto must be 1..%d ticks (0 = follow msl), got %d", MaxTicks, c.RTO)
	case c.Backoff < 1 || c.Backoff > 4:
		return fmt.Errorf("backoff must be 1..4, got %d", c.Backoff)
	case c.Retries < 0 || c.Retries > 6:
		return fmt.Errorf("retries must be 0..6, got %d", c.Retries)
	case c.Loss < 0 || c.Loss > 8:
		return fmt.Errorf("loss must be 0..8, got %d", c.Loss)
	case c.Dup < 0 || c.Dup > 8:
		return fmt.Errorf("dup must be 0..8, got %d", c.Dup)
	case c.Incarnations < 1 || c.Incarnations > 7:
		return fmt.Errorf("incarnations must be 1..7, got %d", c.Incarnations)
	case c.Grid < 0 || c.Grid > 8:
		return fmt.Errorf("grid must be 1..8 sub-ticks (0 = exact default), got %d", c.Grid)
	case c.FinTimeout < 0 || c.FinTimeout > MaxTicks*4:
		return fmt.Errorf("fin-timeout must be 0..%d ticks (0 = off), got %d", MaxTicks*4, c.FinTimeout)
	case c.SeqSpace != 0 && c.SeqSpace != 8 && c.SeqSpace != 16 && c.SeqSpace != 32 && c.SeqSpace != 64:
		return fmt.Errorf("seq-space must be 8, 16, 32 or 64, got %d", c.SeqSpace)
	case c.Window < 0 || c.Window > c.EffectiveSeqSpace()/4:
		return fmt.Errorf("window must be 1..%d (a quarter of the sequence space; 0 = %d), got %d", c.EffectiveSeqSpace()/4, RcvWnd, c.Window)
	case c.DataLen < 0 || c.DataLen > 3:
		return fmt.Errorf("data-len must be 1..3 octets (0 = 1), got %d", c.DataLen)
	case c.ISNClock < 0 || c.ISNClock > 8:
		return fmt.Errorf("isn-clock must be 0..8 sequence numbers per tick (0 = no clock: the adversary picks the ISS), got %d", c.ISNClock)
	case c.ISNClock > 0 && c.Grid != 0 && c.Grid < c.ISNClock:
		return fmt.Errorf("grid %d is coarser than the ISN clock (%d numbers per tick): the clock would skip ISSs; use a grid of at least %d", c.Grid, c.ISNClock, c.ISNClock)
	case c.ISNStart < 0 || c.ISNStart >= c.EffectiveSeqSpace():
		return fmt.Errorf("isn-start must be 0..%d (a reading of the ISN clock), got %d", c.EffectiveSeqSpace()-1, c.ISNStart)
	case c.ISNStart != 0 && c.ISNClock == 0:
		return errors.New("isn-start needs an ISN clock (isn-clock > 0)")
	case c.TWReuse < 0 || c.TWReuse > MaxTicks:
		return fmt.Errorf("tw-reuse must be 0..%d ticks (0 = off), got %d", MaxTicks, c.TWReuse)
	case c.TWReuse > 0 && !c.Timestamps:
		return errors.New("tw-reuse needs timestamps: Linux reuses a TIME-WAIT 4-tuple only when timestamps were seen")
	case c.TSCache && !c.Timestamps:
		return errors.New("ts-cache needs timestamps")
	case c.NoData && c.DataLen != 0:
		return fmt.Errorf("no-data excludes data-len (got %d): B sends no data segment", c.DataLen)
	case c.NoData && c.DataUnacked:
		return errors.New("data-unacked needs data: it cannot be combined with no-data")
	case c.TWReuse*c.EffectiveGrid() > 250:
		return fmt.Errorf("tw-reuse·grid = %d sub-ticks exceeds the model's 8-bit timers", c.TWReuse*c.EffectiveGrid())
	}
	if c.EffectiveDataLen()+2 >= c.EffectiveSeqSpace()/2 {
		return fmt.Errorf("data-len %d does not fit a %d-number space: one incarnation's numbers (SYN, data, FIN) must span less than half of it", c.EffectiveDataLen(), c.EffectiveSeqSpace())
	}
	for _, e := range []struct {
		v     uint8
		names []string
		what  string
	}{
		{uint8(c.Lifetime), lifetimeNames, "lifetime"}, {uint8(c.SameInstant), sameInstantNames, "same-instant"},
		{uint8(c.CloseOrder), closeOrderNames, "close-order"}, {uint8(c.TWRestart), twRestartNames, "tw-restart"},
		{uint8(c.TWRst), twRstNames, "tw-rst"}, {uint8(c.Rtx), rtxNames, "rtx"}, {uint8(c.CloseMode), closeModeNames, "close"},
		{uint8(c.Mutant), mutantNames, "mutant"}, {uint8(c.TWSyn), twSynNames, "tw-syn"},
		{uint8(c.TWRules), twRulesNames, "tw-rules"},
	} {
		if int(e.v) >= len(e.names) {
			return fmt.Errorf("invalid %s value %d", e.what, e.v)
		}
	}
	g := c.EffectiveGrid()
	if c.Lifetime == Strict && c.SameInstant == DeliveriesFirst && g*c.MSL < 2 {
		return errors.New("strict lifetime with deliveries-first needs grid·msl ≥ 2: a copy sent by a timer could never arrive")
	}
	if lim := c.ageLimit(); lim > 250 {
		return fmt.Errorf("msl·grid = %d sub-ticks exceeds the model's 8-bit copy ages", lim)
	}
	if d := c.maxRtxInterval(); d > 250 {
		return fmt.Errorf("the longest retransmission interval (rto·backoff^retries·grid = %d sub-ticks) exceeds the model's 8-bit timers", d)
	}
	if c.TW*g > 250 {
		return fmt.Errorf("tw·grid = %d sub-ticks exceeds the model's 8-bit timers", c.TW*g)
	}
	if c.FinTimeout*g > 250 {
		return fmt.Errorf("fin-timeout·grid = %d sub-ticks exceeds the model's 8-bit timers", c.FinTimeout*g)
	}
	return nil
}

// ageLimit is the largest age, in sub-ticks, at which a copy may still be
// delivered.
func (c Config) ageLimit() int {
	g := c.EffectiveGrid()
	if c.Lifetime == Inclusive {
		return g * c.MSL
	}
	return g*c.MSL - 1
}

// rtxInterval is the retransmission interval in sub-ticks after tries
// retransmissions: RTO·Backoff^tries.
func (c Config) rtxInterval(tries int) int {
	d := c.EffectiveRTO() * c.EffectiveGrid()
	for i := 0; i < tries; i++ {
		d *= c.Backoff
	}
	return d
}

func (c Config) maxRtxInterval() int { return c.rtxInterval(c.Retries) }
