package conformance

import (
	"context"
	"fmt"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/variants"
)

// Query is a committed reachability query: a configuration of the model
// (under a variant) and a target situation. Its shortest witness, found by
// the explorer, is compiled into a script in which the kernel plays one of
// the model's endpoints (Kernel: A, the client, which connects, or B, the
// server, which listens) and the scripted peer plays the other.
//
// The first incarnation's sequence numbers are offsets from each side's
// initial sequence number and map exactly onto the kernel's (k+n) and the
// peer's (p+n). A later incarnation of the peer's side takes its numbers
// from the model's ISS, placed above or below the kernel's RCV.NXT as the
// model's comparison places it; a later incarnation of the kernel's side
// takes Linux's ISS (tw_snd_nxt + 65537) where the model's rule is Linux's,
// and a variable its SYN-ACK binds otherwise. The kernel's side cannot
// connect again (that would need the kernel to reuse its own TIME-WAIT).
type Query struct {
	Name    string // the script's name: lower-case letters, digits and '-'
	Doc     string // what the scenario shows
	Variant string // a built-in variant ("" or "default": the model's default rules)
	// Config is the configuration before the variant is applied.
	Config model.Config
	// Kernel is the endpoint the kernel plays (the zero value is A).
	Kernel model.Side
	// NoTimestamps turns the variant's Timestamps off after it is applied:
	// the peer then sends no Timestamps option, so the kernel uses none.
	NoTimestamps bool
	// Target is the ID of a reachability property (a witness in the
	// properties catalogue) or one of the situations of [Situations] or
	// [StepSituations].
	Target  string
	Sysctls map[string]string
	// Slow marks a scenario that waits out a kernel timer too long for the
	// fast tier (the 60 s TIME_WAIT): the compiler then plays the kernel's
	// TIME-WAIT expiry as a wait of up to 75 s for the entry to go.
	Slow bool
}

// Situations are targets that are not in the properties catalogue: named
// states the kernel's side reaches.
func Situations() map[string]func(model.State) bool {
	return map[string]func(model.State) bool{
		"a-time-wait": func(s model.State) bool {
			return s.Ends[model.A].St == model.TimeWait && s.Ends[model.A].Inc == 1
		},
		"a-fin-wait-2": func(s model.State) bool {
			return s.Ends[model.A].St == model.FinWait2 && s.Ends[model.A].Inc == 1
		},
		"a-closing": func(s model.State) bool {
			return s.Ends[model.A].St == model.Closing && s.Ends[model.A].Inc == 1
		},
		"a-last-ack": func(s model.State) bool {
			return s.Ends[model.A].St == model.LastAck && s.Ends[model.A].Inc == 1
		},
		// A has opened its second connection and sent its SYN.
		"a-second-incarnation": func(s model.State) bool {
			a := s.Ends[model.A]
			return a.St == model.SynSent && a.Inc == 2
		},
		// B has accepted A's second connection: ESTABLISHED in incarnation 2.
		"b-second-connection": func(s model.State) bool {
			b := s.Ends[model.B]
			return b.St == model.Established && b.Inc == 2
		},
		// A's first connection is over without A having held TIME-WAIT: an
		// abort, or an orphaned FIN-WAIT-2 that timed out.
		"a-closed-without-time-wait": func(s model.State) bool {
			a := s.Ends[model.A]
			return a.St == model.Closed && a.Inc == 1 && !s.EnteredTimeWait(model.A, 1)
		},
	}
}

// StepSituations are targets that are steps, not states: a segment
// arriving at an endpoint in a given state. sp is the model's sequence
// space, in which "above" and "below" are decided.
func StepSituations(sp model.Space) map[string]func(from model.State, l model.Label, to model.State) bool {
	arrives := func(l model.Label, src model.Side, flags model.Flags) (model.Segment, bool) {
		g := l.Action.Seg
		return g, l.Action.Kind == model.ActDeliver && g.Src == src && g.Flags == flags
	}
	return map[string]func(model.State, model.Label, model.State) bool{
		// B's RST, with SEG.SEQ exactly A's RCV.NXT, reaches A in TIME-WAIT.
		"rst-at-rcv-nxt-in-a-time-wait": func(from model.State, l model.Label, _ model.State) bool {
			a := from.Ends[model.A]
			g, ok := arrives(l, model.B, model.RST)
			return ok && a.St == model.TimeWait && a.Inc == 1 && g.Seq == a.RcvNxt
		},
		// A segment of B's (not an RST) reaches A with no connection.
		"segment-to-closed-a": func(from model.State, l model.Label, _ model.State) bool {
			a := from.Ends[model.A]
			return l.Action.Kind == model.ActDeliver && l.Action.Seg.Src == model.B &&
				!l.Action.Seg.Flags.Has(model.RST) && a.St == model.Closed && a.Inc == 1
		},
		// A's TIME-WAIT timer runs out (not an RST that kills it).
		"a-time-wait-expires": func(from model.State, l model.Label, _ model.State) bool {
			return l.Action.Kind == model.ActTimeout && l.Action.Side == model.A && l.Action.Timer == model.TimerTW &&
				from.Ends[model.A].St == model.TimeWait
		},
		// A's retransmission timer fires in LAST-ACK: its FIN again.
		"a-retransmits-fin-in-last-ack": func(from model.State, l model.Label, _ model.State) bool {
			return l.Action.Kind == model.ActTimeout && l.Action.Side == model.A && from.Ends[model.A].St == model.LastAck
		},
		// B's RST, with SEG.SEQ other than A's RCV.NXT, reaches A in TIME-WAIT.
		"rst-off-rcv-nxt-in-a-time-wait": func(from model.State, l model.Label, _ model.State) bool {
			a := from.Ends[model.A]
			g, ok := arrives(l, model.B, model.RST)
			return ok && a.St == model.TimeWait && a.Inc == 1 && g.Seq != a.RcvNxt
		},
		// A new SYN of A's, above B's RCV.NXT, reaches B in TIME-WAIT.
		"higher-syn-in-b-time-wait": func(from model.State, l model.Label, _ model.State) bool {
			b := from.Ends[model.B]
			g, ok := arrives(l, model.A, model.SYN)
			return ok && b.St == model.TimeWait && g.Inc > b.Inc && sp.LT(b.RcvNxt, g.Seq)
		},
		// A new SYN of A's, below B's RCV.NXT, reaches B in TIME-WAIT.
		"lower-syn-in-b-time-wait": func(from model.State, l model.Label, _ model.State) bool {
			b := from.Ends[model.B]
			g, ok := arrives(l, model.A, model.SYN)
			return ok && b.St == model.TimeWait && g.Inc > b.Inc && sp.LT(g.Seq, b.RcvNxt)
		},
	}
}

// DerivedQueries returns the committed queries of the model-derived
// scenarios, in a fixed order.
func DerivedQueries() []Query {
	lossless := model.DefaultConfig()
	lossless.Loss, lossless.Dup = 0, 0
	reopen := lossless // B holds TIME-WAIT and A opens a second connection
	reopen.CloseOrder, reopen.Incarnations = model.BThenA, 2
	return []Query{
		{
			Name:   "derived-active-close",
			Doc:    "the shortest run in which A, the kernel, closes first and reaches TIME-WAIT",
			Config: lossless, Target: "a-time-wait",
		},
		{
			Name:   "derived-fin-wait-2",
			Doc:    "the shortest run in which A, the kernel, has its FIN acknowledged and waits in FIN-WAIT-2",
			Config: lossless, Target: "a-fin-wait-2",
		},
		{
			Name:   "derived-passive-close",
			Doc:    "the shortest run in which B closes first and A, the kernel, closes in turn: CLOSE-WAIT, then its FIN and LAST-ACK",
			Config: anyOrder(lossless), Target: "a-last-ack",
		},
		{
			Name:   "derived-simultaneous-close",
			Doc:    "the shortest run in which both sides close at once (--close-order a-first): A, the kernel, receives B's FIN before the ACK of its own and passes through CLOSING",
			Config: aFirst(lossless), Target: "a-closing",
		},
		{
			Name:    "derived-abort",
			Doc:     "the shortest run in which A, the kernel, closes with SO_LINGER 0 (variant so-linger-zero): an RST, and the connection is gone with no TIME-WAIT",
			Variant: "so-linger-zero", Config: lossless, Target: "a-closed-without-time-wait",
		},
		{
			Name:    "derived-fin-wait-2-timeout",
			Doc:     "the shortest run in which A's orphaned FIN-WAIT-2 times out (variant fin-timeout, tcp_fin_timeout=1): the connection is gone without a segment",
			Variant: "fin-timeout", Config: lossless, Target: "a-closed-without-time-wait",
			Sysctls: map[string]string{"net/ipv4/tcp_fin_timeout": "1"},
		},
		{
			Name:    "derived-closed-port",
			Doc:     "the shortest run in which a segment reaches A, the kernel, after its connection is gone (variant so-linger-zero): B's data, acknowledging, is answered with <SEQ=SEG.ACK><CTL=RST>",
			Variant: "so-linger-zero", Config: lossless, Target: "segment-to-closed-a",
		},
		{
			Name:   "derived-passive-close-retransmits-fin",
			Doc:    "the shortest run in which A, the kernel, closes second and retransmits its FIN from LAST-ACK because B's ACK has not come",
			Config: anyOrder(lossless), Target: "a-retransmits-fin-in-last-ack",
		},
		{
			Name:    "derived-time-wait-expiry",
			Doc:     "the shortest run in which A's TIME-WAIT runs out (variant linux: 60 s): the entry is gone without a segment (slow tier)",
			Variant: "linux", Config: lossless, Target: "a-time-wait-expires", Slow: true,
		},
		{
			Name:   "derived-retransmitted-fin",
			Doc:    "the shortest run in which B's retransmitted FIN reaches A in TIME-WAIT (witness of no-rst-on-retransmitted-fin): the kernel must answer with an ACK",
			Config: model.DefaultConfig(), Target: "retransmitted-fin-in-time-wait",
		},
		{
			Name:    "derived-rst-in-time-wait-rfc1337-0",
			Doc:     "the shortest run in which an RST at exactly RCV.NXT reaches A, the kernel, in TIME-WAIT (variant linux, tcp_rfc1337=0): TIME-WAIT is assassinated, the entry is gone",
			Variant: "linux", Config: model.DefaultConfig(), Target: "rst-at-rcv-nxt-in-a-time-wait",
			Sysctls: map[string]string{"net/ipv4/tcp_rfc1337": "0"},
		},
		{
			Name:    "derived-rst-in-time-wait-rfc1337-1",
			Doc:     "the shortest run in which an RST at exactly RCV.NXT reaches A, the kernel, in TIME-WAIT (variant linux-rfc1337, tcp_rfc1337=1): the RST is ignored, A stays in TIME-WAIT",
			Variant: "linux-rfc1337", Config: model.DefaultConfig(), Target: "rst-at-rcv-nxt-in-a-time-wait",
			Sysctls: map[string]string{"net/ipv4/tcp_rfc1337": "1"},
		},
		{
			Name:    "derived-rst-off-rcv-nxt-in-time-wait",
			Doc:     "the shortest run in which an RST whose SEG.SEQ is not RCV.NXT reaches A, the kernel, in TIME-WAIT (variant linux, tcp_rfc1337=0): ignored, without an ACK, and A stays in TIME-WAIT",
			Variant: "linux", Config: model.DefaultConfig(), Target: "rst-off-rcv-nxt-in-a-time-wait",
			Sysctls: map[string]string{"net/ipv4/tcp_rfc1337": "0"},
		},
		{
			Name:    "derived-syn-higher-in-time-wait",
			Doc:     "the shortest run in which A's new SYN, above RCV.NXT, reaches B, the kernel, in TIME-WAIT with its listener open (variant linux, --close-order b-then-a): the connection is reopened with ISS = tw_snd_nxt + 65537",
			Variant: "linux", Kernel: model.B, Config: reopen, Target: "higher-syn-in-b-time-wait",
		},
		{
			Name:    "derived-syn-lower-in-time-wait",
			Doc:     "the shortest run in which A's new SYN, below RCV.NXT and without timestamps, reaches B, the kernel, in TIME-WAIT (variant linux without timestamps, --close-order b-then-a): an ACK, and B stays in TIME-WAIT",
			Variant: "linux", Kernel: model.B, NoTimestamps: true, Config: reopen, Target: "lower-syn-in-b-time-wait",
		},
		{
			Name:    "derived-syn-lower-newer-ts-in-time-wait",
			Doc:     "the shortest run in which A's new SYN, below RCV.NXT but with a newer TSval, reaches B, the kernel, in TIME-WAIT (variant linux, --close-order b-then-a): the timestamp reopens the connection (RFC 6191)",
			Variant: "linux", Kernel: model.B, Config: reopen, Target: "lower-syn-in-b-time-wait",
		},
	}
}

func aFirst(c model.Config) model.Config {
	c.CloseOrder = model.AFirst
	return c
}

func anyOrder(c model.Config) model.Config {
	c.CloseOrder, c.Incarnations = model.AnyFirst, 1
	return c
}

// Derive finds the query's shortest witness and compiles it into a script.
// The witness is returned with the script, so that a report can cite the
// model steps.
func Derive(ctx context.Context, q Query) (Script, *checker.Path[model.State, model.Label], error) {
	cfg := q.Config
	if q.Variant != "" && q.Variant != "default" {
		v, err := variants.Lookup(q.Variant)
		if err != nil {
			return Script{}, nil, err
		}
		cfg = v.Apply(cfg)
	}
	if q.NoTimestamps {
		cfg.Timestamps = false
	}
	m, err := model.New(cfg)
	if err != nil {
		return Script{}, nil, fmt.Errorf("query %s: %w", q.Name, err)
	}
	prop := checker.Property[model.State, model.Label]{Name: q.Target, Kind: checker.Sometimes}
	if p, ok := properties.ByID(q.Target); ok && p.Kind == properties.Sometimes {
		prop.State, prop.Step = p.State, p.Step
	} else if f, ok := Situations()[q.Target]; ok {
		prop.State = f
	} else if f, ok := StepSituations(m.Space())[q.Target]; ok {
		prop.Step = f
	} else {
		return Script{}, nil, fmt.Errorf("query %s: unknown target %q (a witness property or one of the situations)", q.Name, q.Target)
	}
	res, err := checker.Check[model.State, model.Label](ctx, m, []checker.Property[model.State, model.Label]{prop},
		checker.Options{StopWhenDecided: true, MaxStates: 5_000_000})
	if err != nil {
		return Script{}, nil, fmt.Errorf("query %s: %w", q.Name, err)
	}
	path := res.Properties[0].Path
	if path == nil {
		return Script{}, nil, fmt.Errorf("query %s: target %q is unreachable (%s)", q.Name, q.Target, res.Properties[0].Verdict)
	}
	s, err := compileWitness(q, m.Config(), m.Space(), path)
	return s, path, err
}
