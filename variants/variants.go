package variants

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/timewait/timewait/model"
)

// Variant is a named configuration of the model's rules.
type Variant struct {
	Name   string // stable kebab-case identifier
	Title  string // one line
	Source string // the RFC or source text the variant encodes
	Doc    string // what it changes and why, precisely
	// Sets lists the configuration fields (flag spellings) the variant
	// decides; a user may not also set them.
	Sets []string
	// FixedTW says the variant fixes TIME-WAIT's length: a sweep over TW is
	// meaningless, so sweeps vary MSL and report the largest MSL for which
	// each property holds.
	FixedTW bool
	// Configure, for a user's variant, sets the configuration fields it
	// decides (it may be nil). The built-in variants use an internal form.
	Configure func(model.Config) model.Config
	// Rules, for a user's variant, overrides individual rules of the model
	// (see model.Rules). Trace files record the variant's name and the
	// digest of its rules (model.RulesDigest); replay refuses a trace whose
	// variant is unknown or whose rules changed.
	Rules *model.Rules
	// Tick says what one model tick is in real time, for variants whose
	// rules are in real units ("" when ticks are abstract).
	Tick  string
	apply func(model.Config) model.Config
	check func(model.Config) error
}

// Check reports a configuration the variant cannot model faithfully (nil
// when it can), as a one-line error.
func (v Variant) Check(cfg model.Config) error {
	if v.check == nil {
		return nil
	}
	return v.check(cfg)
}

// LinuxTick is the real time of one model tick in the Linux variants.
const LinuxTick = "30 s"

// linux sets Linux's TIME-WAIT rules in real units, one tick being 30 s
// (docs/variants.md): TIME-WAIT fixed at 60 s (TCP_TIMEWAIT_LEN), Linux's
// handler, timestamps (tcp_timestamps=1), SYNs handed to a listener, and
// an RTO of 200 ms for data and FIN (1 s for a SYN) doubling, which is one
// tick, rounded up, for the first four retransmissions.
func linux(rfc1337 bool) func(model.Config) model.Config {
	return func(c model.Config) model.Config {
		c.TW, c.RTO, c.Backoff = 2, 1, 1
		c.TWRules, c.TWSyn, c.Timestamps = model.TWRulesLinux, model.SynLinux, true
		c.TWRst = model.RstClose
		if rfc1337 {
			c.TWRst = model.RstIgnore
		}
		return c
	}
}

// linuxSets are the flags the Linux variants decide.
var linuxSets = []string{"tw", "rto", "backoff", "tw-rules", "tw-syn", "tw-rst", "timestamps"}

// linuxCheck refuses retransmission counts the one-tick RTO cannot model.
func linuxCheck(c model.Config) error {
	if c.Retries > 4 {
		return fmt.Errorf("the Linux variants round Linux's RTO (200 ms for data, 1 s for a SYN, doubling) up to one 30 s tick, which is exact only up to 4 retransmissions: --retries must be 0..4, got %d", c.Retries)
	}
	return nil
}

// Apply returns base with the variant's rules set. Fields the variant does
// not decide (MSL, fault budgets, incarnations, ...) keep base's values.
func (v Variant) Apply(base model.Config) model.Config {
	switch {
	case v.apply != nil:
		base = v.apply(base)
	case v.Configure != nil:
		base = v.Configure(base)
	}
	if v.Rules != nil {
		base.Rules = v.Rules
	}
	return base
}

// Holds reports whether cfg already carries the variant's rules: applying
// the variant changes nothing. Replay uses it to refuse a trace whose
// configuration no longer matches its variant.
func (v Variant) Holds(cfg model.Config) bool { return v.Apply(cfg) == cfg }

// Digest is model.RulesDigest of the variant's rule overrides ("" when it
// has none).
func (v Variant) Digest() (string, error) { return model.RulesDigest(v.Rules) }

// Default is the name of the variant that is the model's default rules.
const Default = "rfc1337"

// All returns the catalogue in a fixed order; the slice is fresh.
func All() []Variant {
	return []Variant{
		{
			Name:   "rfc1337",
			Title:  "RFC 9293 with RFC 1337's fix: an RST is ignored in TIME-WAIT (the model's default rules)",
			Source: "RFC 1337 fix F1: \"Ignore RST segments in TIME-WAIT state\"; Linux with tcp_rfc1337=1",
			Doc: "TIME-WAIT lasts --tw ticks and is restarted only by a copy of the peer's FIN; an RST that arrives in " +
				"TIME-WAIT is ignored, so an old duplicate cannot assassinate it.",
			Sets:  []string{"tw-rst"},
			apply: func(c model.Config) model.Config { c.TWRst = model.RstIgnore; return c },
		},
		{
			Name:   "rfc793",
			Title:  "RFC 793 as written: an RST closes TIME-WAIT (assassination is possible)",
			Source: "RFC 793 §3.9 and RFC 9293 §3.10.7.4, second check, RST bit, for CLOSING, LAST-ACK and TIME-WAIT: enter CLOSED and delete the TCB; RFC 1337 names the hazard (TIME-WAIT assassination)",
			Doc: "As rfc1337, except that an acceptable RST arriving in TIME-WAIT closes the connection at once: an " +
				"old duplicate that provokes an RST from the peer ends TIME-WAIT early (TIME-WAIT assassination).",
			Sets:  []string{"tw-rst"},
			apply: func(c model.Config) model.Config { c.TWRst = model.RstClose; return c },
		},
		{
			Name:   "no-timewait",
			Title:  "no TIME-WAIT at all: the active closer goes straight to CLOSED",
			Source: "what RFC 9293 §3.6.1 (MUST-13: \"it MUST linger in the TIME-WAIT state for a time 2xMSL\") forbids; stacks short of memory have been configured this way",
			Doc: "TIME-WAIT of length 0: the active closer reaches CLOSED at the instant it would enter TIME-WAIT. " +
				"TIME-WAIT's length is fixed, so a sweep varies MSL.",
			Sets:    []string{"tw"},
			FixedTW: true,
			apply:   func(c model.Config) model.Config { c.TW = 0; return c },
		},
		{
			Name:   "so-linger-zero",
			Title:  "the active closer closes with SO_LINGER {on, 0}: an RST instead of a FIN, and no TIME-WAIT",
			Source: "RFC 9293 §3.10.5 (ABORT: send <SEQ=SND.NXT><CTL=RST>, delete the TCB); Linux __tcp_close → tcp_disconnect with a zero linger time",
			Doc: "A's first incarnation aborts instead of closing: it sends an RST and is CLOSED at once, so it never " +
				"holds TIME-WAIT and may reconnect immediately. TIME-WAIT's length is irrelevant (no endpoint enters " +
				"TIME-WAIT), so a sweep varies MSL.",
			Sets:    []string{"close"},
			FixedTW: true,
			apply:   func(c model.Config) model.Config { c.CloseMode = model.CloseAbort; return c },
		},
		{
			Name:   "fin-timeout",
			Title:  "an orphaned FIN-WAIT-2 gives up after 2·MSL (Linux tcp_fin_timeout, default 60 s)",
			Source: "Linux ip-sysctl tcp_fin_timeout: \"The length of time an orphaned (no longer referenced by any application) connection will remain in the FIN_WAIT_2 state before it is aborted at the local end\" (default 60 s, TCP_FIN_TIMEOUT = TCP_TIMEWAIT_LEN)",
			Doc: "A closed endpoint in FIN-WAIT-2 closes silently after --fin-timeout = 2·MSL ticks if the peer's FIN has " +
				"not come (Linux's default equals its TIME-WAIT length, 60 s, which is 2·MSL for a 30 s MSL). Nothing " +
				"bounds when the peer's application closes, so its FIN can arrive after that.",
			Sets:  []string{"fin-timeout"},
			apply: func(c model.Config) model.Config { c.FinTimeout = 2 * c.MSL; return c },
		},
		{
			Name:   "port-skip",
			Title:  "the client never reuses a 4-tuple in TIME-WAIT: its next connection takes the next free port",
			Source: "a client whose ephemeral port choice skips ports whose 4-tuple is still in TIME-WAIT",
			Doc: "A's next connection uses a different local port, so this 4-tuple has only one incarnation: old " +
				"segments can never meet a new connection on it (modelled as --incarnations 1; the other 4-tuple is " +
				"a separate, independent instance of the model). Whether a property still needs TIME-WAIT then depends " +
				"only on the first reason (the retransmitted FIN).",
			Sets:  []string{"incarnations"},
			apply: func(c model.Config) model.Config { c.Incarnations = 1; return c },
		},
		{
			Name:   "rfc1122-syn-in-timewait",
			Title:  "the server closes first and holds TIME-WAIT; a SYN with a higher sequence number reopens it (RFC 1122 MAY-2)",
			Source: "RFC 1122 §4.2.2.13 and RFC 9293 §3.6.1 MAY-2: \"it MAY accept a new SYN from the remote TCP to reopen the connection directly from TIME-WAIT state, if it: (1) assigns its initial sequence number for the new connection to be larger than the largest sequence number it used on the previous connection incarnation, and (2) returns to TIME-WAIT state if the SYN turns out to be an old duplicate\"",
			Doc: "B (the server) closes first and holds TIME-WAIT; A closes after B's FIN and reconnects from the same " +
				"port. A SYN whose SEG.SEQ is above B's RCV.NXT reopens the connection from TIME-WAIT: B's new ISS is " +
				"above its old SND.NXT-1 (any such number, or the ISN clock's reading when it is), and an acceptable " +
				"RST to its SYN-ACK (the SYN was an old duplicate) returns B to the TIME-WAIT it left, with a full " +
				"TIME-WAIT. Which ISS A's SYN carries is the sequence-numbering mode's: the adversary's by default, " +
				"the ISN clock under --isn-clock.",
			Sets: []string{"close-order", "tw-syn"},
			apply: func(c model.Config) model.Config {
				c.CloseOrder, c.TWSyn = model.BThenA, model.SynRFC1122
				return c
			},
		},
		{
			Name:   "paws",
			Title:  "RFC 7323 timestamps and PAWS, with a timestamp clock monotone across incarnations",
			Source: "RFC 7323 §5 (PAWS: \"If ... SEG.TSval < TS.Recent ... then ... send an acknowledgment in reply ... and drop the segment\"); RFC 1337 F2; RFC 6191 §2 (clocks monotone across incarnations)",
			Doc: "Every segment but an RST carries a timestamp from its sender's clock, which never goes back, not even " +
				"across incarnations, and ticks every sub-tick. A synchronized endpoint (TIME-WAIT included) answers a " +
				"segment whose TSval is older than TS.Recent with an ACK and drops it; TS.Recent follows RFC 7323 R3. " +
				"Segments sent in the same sub-tick carry the same TSval, which PAWS does not reject.",
			Sets:  []string{"timestamps"},
			apply: func(c model.Config) model.Config { c.Timestamps = true; return c },
		},
		{
			Name:   "rfc6191",
			Title:  "the server holds TIME-WAIT; with timestamps, a SYN with a newer TSval reopens it (RFC 6191)",
			Source: "RFC 6191 §2 (BCP 159): accept the SYN \"if the TSval is larger than the last one seen ... or if it is equal and SEG.SEQ is larger than the last sequence number seen\"; otherwise silently drop it, leaving the previous incarnation in TIME-WAIT",
			Doc: "As paws, with B (the server) closing first and holding TIME-WAIT (close order b-then-a): a SYN whose " +
				"TSval is newer than B's TS.Recent, or equal with SEG.SEQ above RCV.NXT, reopens the connection from " +
				"TIME-WAIT with the mode's ISS; any other SYN is dropped silently.",
			Sets: []string{"close-order", "tw-syn", "timestamps"},
			apply: func(c model.Config) model.Config {
				c.CloseOrder, c.TWSyn, c.Timestamps = model.BThenA, model.SynRFC6191, true
				return c
			},
		},
		{
			Name:   "linux",
			Title:  "Linux's TIME-WAIT with tcp_rfc1337=0 (the default): 60 s, restarted by ACKs, killed by an RST at exactly RCV.NXT",
			Source: "Linux net/ipv4/tcp_minisocks.c tcp_timewait_state_process, TCP_TIMEWAIT_LEN = 60 s, tcp_rfc1337=0; observed on 6.18 (shared reference linux-kernel.md)",
			Doc: "One tick is 30 s (BSD's MSL). TIME-WAIT is fixed at 60 s (2 ticks), whatever MSL is, so sweeps vary MSL. " +
				"A bare ACK at RCV.NXT restarts it; an RST whose SEG.SEQ is exactly RCV.NXT kills it (other RSTs are " +
				"ignored); any other segment gets an ACK and, if it carries ACK or fails PAWS, restarts TIME-WAIT. " +
				"Timestamps and PAWS are on (tcp_timestamps=1). A SYN after RCV.NXT or with a newer TSval is handed to " +
				"a listener with ISS = SND.NXT + RCV.WND + 2 (Linux: tw_snd_nxt + 65535 + 2) when B holds TIME-WAIT " +
				"(--close-order b-then-a); A, the client, has no listener and answers it with an ACK. RTO: 200 ms " +
				"doubling (1 s for SYN), one tick rounded up.",
			Sets:    linuxSets,
			FixedTW: true,
			Tick:    LinuxTick,
			apply:   linux(false),
			check:   linuxCheck,
		},
		{
			Name:    "linux-rfc1337",
			Title:   "Linux's TIME-WAIT with tcp_rfc1337=1: as linux, but no RST kills TIME-WAIT",
			Source:  "Linux tcp_timewait_state_process with sysctl_tcp_rfc1337 set: the RST at RCV.NXT falls through without killing the socket; ip-sysctl tcp_rfc1337",
			Doc:     "As linux, except that an RST at RCV.NXT is ignored too (and, like every RST, does not restart TIME-WAIT).",
			Sets:    linuxSets,
			FixedTW: true,
			Tick:    LinuxTick,
			apply:   linux(true),
			check:   linuxCheck,
		},
		{
			Name:   "linux-tw-reuse",
			Title:  "linux with tcp_tw_reuse=1: an outgoing connect may take over its TIME-WAIT after one tick",
			Source: "Linux tcp_twsk_unique (net/ipv4/tcp_ipv4.c): reuse when timestamps were seen and the TIME-WAIT is older than the reuse delay (1 s; tcp_tw_reuse_delay in newer kernels); write_seq = tw_snd_nxt + 65535 + 2; ts_recent inherited",
			Doc: "As linux, and A may connect over its own TIME-WAIT once it has held it one tick (30 s: Linux's 1 s " +
				"delay rounded up, which only delays the reuse) and has seen timestamps: the new incarnation's ISS is " +
				"SND.NXT + RCV.WND + 2 and it starts with the old TS.Recent, so PAWS carries over.",
			Sets:    append(append([]string(nil), linuxSets...), "tw-reuse"),
			FixedTW: true,
			Tick:    LinuxTick,
			apply: func(c model.Config) model.Config {
				c = linux(false)(c)
				c.TWReuse = 1
				return c
			},
			check: linuxCheck,
		},
		{
			Name:   "linux-tw-recycle",
			Title:  "linux with tcp_tw_recycle=1 (removed in 4.12): TIME-WAIT of about 3.5·RTO and a per-host timestamp cache",
			Source: "Linux < 4.12 tcp_time_wait: rto = (icsk_rto << 2) - (icsk_rto >> 1); tcp_peer_is_proven / tcp_fetch_timewait_stamp; removed by commit 4396e46187ca",
			Doc: "As linux, but TIME-WAIT lasts about 3.5·RTO (0.7 s at a 200 ms RTO; one tick, 30 s, rounded up, " +
				"which only lengthens it), and each host keeps the last timestamp it saw from the other after the " +
				"TCB is gone: a new connection starts with it as TS.Recent and a listener drops a SYN whose TSval is " +
				"older. Its failure behind NAT (two clients with unrelated clocks sharing one address, so a " +
				"legitimate SYN is dropped forever) is a liveness failure that needs a third host; the model has " +
				"two and does not show it.",
			Sets:    append(append([]string(nil), linuxSets...), "ts-cache"),
			FixedTW: true,
			Tick:    LinuxTick,
			apply: func(c model.Config) model.Config {
				c = linux(false)(c)
				c.TW, c.TSCache = 1, true
				return c
			},
			check: linuxCheck,
		},
	}
}

// Catalogue is a set of variants: the built-in ones and any a program
// registers. It is a value the program owns, not a global registry.
type Catalogue struct {
	vs []Variant
}

// Builtin returns a fresh catalogue holding the built-in variants.
func Builtin() *Catalogue { return &Catalogue{vs: All()} }

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Register adds a user's variant. Its name must be kebab-case and new
// (not "default", not taken); it must have a title and set something
// (Configure or Rules); its Rules must build a model (model.RulesDigest
// succeeds).
func (c *Catalogue) Register(v Variant) error {
	switch {
	case !kebab.MatchString(v.Name):
		return fmt.Errorf("variant name %q is not kebab-case (e.g. my-stack)", v.Name)
	case v.Name == "default":
		return fmt.Errorf("variant name %q is reserved", v.Name)
	case v.Title == "":
		return fmt.Errorf("variant %s: empty title", v.Name)
	case v.apply != nil:
		return fmt.Errorf("variant %s: a built-in variant cannot be registered again", v.Name)
	case v.Configure == nil && v.Rules == nil:
		return fmt.Errorf("variant %s: sets nothing (give Configure or Rules)", v.Name)
	}
	if _, ok := c.ByName(v.Name); ok {
		return fmt.Errorf("variant %s is already in the catalogue", v.Name)
	}
	if _, ok := ByName(v.Name); ok {
		return fmt.Errorf("variant %s is already in the catalogue (a built-in name)", v.Name)
	}
	if _, err := v.Digest(); err != nil {
		return fmt.Errorf("variant %s: %v", v.Name, err)
	}
	c.vs = append(c.vs, v)
	return nil
}

// ByName returns the variant with that name.
func (c *Catalogue) ByName(name string) (Variant, bool) {
	for _, v := range c.vs {
		if v.Name == name {
			return v, true
		}
	}
	return Variant{}, false
}

// Names lists the catalogue's names in order (built-ins first).
func (c *Catalogue) Names() []string {
	var out []string
	for _, v := range c.vs {
		out = append(out, v.Name)
	}
	return out
}

// ByName returns the built-in variant with that name.
func ByName(name string) (Variant, bool) {
	for _, v := range All() {
		if v.Name == name {
			return v, true
		}
	}
	return Variant{}, false
}

// Lookup is ByName with an error naming the known variants.
func Lookup(name string) (Variant, error) {
	if v, ok := ByName(name); ok {
		return v, nil
	}
	return Variant{}, fmt.Errorf("unknown variant %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Names lists every variant name in catalogue order.
func Names() []string {
	var out []string
	for _, v := range All() {
		out = append(out, v.Name)
	}
	return out
}
