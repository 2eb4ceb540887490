package conformance

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/variants"
)

// Query is a committed reachability query: a configuration of the model
// (under a variant) and a target situation. Its shortest witness, found by
// the explorer, is compiled into a script in which the kernel plays the
// model's endpoint A — the client, which connects and closes first — and the
// scripted peer plays B.
//
// The compiler covers the first incarnation, where the model's sequence
// numbers are offsets from each side's initial sequence number and so map
// exactly onto the kernel's (k+n) and the peer's (p+n). A witness that needs
// a second incarnation (where the model chooses initial sequence numbers by
// worst-case overlap, not by an ISN clock) is refused: that needs the
// sequence-faithful mode still to come (issue 4).
type Query struct {
	Name    string // the script's name: lower-case letters, digits and '-'
	Doc     string // what the scenario shows
	Variant string // a built-in variant ("" or "default": the model's default rules)
	// Config is the configuration before the variant is applied.
	Config model.Config
	// Target is the ID of a reachability property (a witness in the
	// properties catalogue) or one of the situations of [Situations].
	Target  string
	Sysctls map[string]string
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
		// A's first connection is over without A having held TIME-WAIT: an
		// abort, or an orphaned FIN-WAIT-2 that timed out.
		"a-closed-without-time-wait": func(s model.State) bool {
			a := s.Ends[model.A]
			return a.St == model.Closed && a.Inc == 1 && !s.EnteredTimeWait(model.A, 1)
		},
	}
}

// DerivedQueries returns the committed queries of the model-derived
// scenarios, in a fixed order.
func DerivedQueries() []Query {
	lossless := model.DefaultConfig()
	lossless.Loss, lossless.Dup = 0, 0
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
			Name:   "derived-retransmitted-fin",
			Doc:    "the shortest run in which B's retransmitted FIN reaches A in TIME-WAIT (witness of no-rst-on-retransmitted-fin): the kernel must answer with an ACK",
			Config: model.DefaultConfig(), Target: "retransmitted-fin-in-time-wait",
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
	m, err := model.New(cfg)
	if err != nil {
		return Script{}, nil, fmt.Errorf("query %s: %w", q.Name, err)
	}
	prop := checker.Property[model.State, model.Label]{Name: q.Target, Kind: checker.Sometimes}
	if p, ok := properties.ByID(q.Target); ok && p.Kind == properties.Sometimes {
		prop.State, prop.Step = p.State, p.Step
	} else if f, ok := Situations()[q.Target]; ok {
		prop.State = f
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
	s, err := compileWitness(q, m.Config(), path)
	return s, path, err
}

// The witness compiler's fixed choices.
const (
	derivedKernelPort = 8081
	derivedPeerPort   = 40001
	derivedPeerISN    = 2000000
	// derivedHush is how long the kernel must stay silent where the model's
	// A sends nothing.
	derivedHush = 150 * time.Millisecond
)

// compileWitness maps a witness onto a script; see the table in
// docs/conformance.md ("From a model trace to a script").
func compileWitness(q Query, cfg model.Config, path *checker.Path[model.State, model.Label]) (Script, error) {
	var b stepList
	ref := func(i int, what string) string { return fmt.Sprintf("model step %d: %s", i, what) }
	// The model starts with both sides ESTABLISHED (ISS 0 on both) and B's
	// data octet in flight: the kernel connects, the handshake completes,
	// then the witness's steps follow.
	b.add(withRef(App("connect"), "model initial state: A connected (the kernel is A)"),
		Expect(quick, "SYN seq=k"),
		Send("SYN|ACK seq=p ack=k+1 mss=1460"),
		Expect(quick, "ACK seq=k+1 ack=p+1"),
		State("ESTABLISHED", 0))
	sentAt := map[model.Segment]int{} // a copy the peer sent → its step, for resends
	prev := path.Init.Ends[model.A]   // A before the step
	for i, st := range path.Steps {
		n := i + 1
		a := st.Label.Action
		before := prev
		prev = st.State.Ends[model.A]
		for _, e := range []model.Endpoint{st.State.Ends[model.A], st.State.Ends[model.B]} {
			if e.Inc > 1 {
				return Script{}, fmt.Errorf("query %s: the witness reaches incarnation %d at step %d; the compiler covers the first incarnation only (a new incarnation's ISS needs the sequence-faithful mode)", q.Name, e.Inc, n)
			}
		}
		switch a.Kind {
		case model.ActDeliver:
			g := a.Seg
			if g.Src == model.A {
				continue // the kernel's copy reaches the peer: nothing to do
			}
			key := g
			key.Age, key.Rtx = 0, false // a retransmission is the same octets
			if k, ok := sentAt[key]; ok {
				b.add(withRef(Resend(k), ref(n, "deliver "+g.String()+" (the same octets again)")))
			} else {
				sentAt[key] = b.add(withRef(Send(peerSpec(g)), ref(n, "deliver "+g.String())))
			}
			if g.Len > 0 {
				// The kernel's application reads the data, as the model's
				// does: Linux answers close() with an RST, not a FIN, when
				// received data is left unread.
				b.add(withRef(App("read"), ref(n, "A's application reads the data octet")))
			}
			b.expectKernel(st.Label, n, before)
		case model.ActClose:
			if a.Side == model.B {
				continue // B's FIN is sent when the model delivers it
			}
			if cfg.CloseMode == model.CloseAbort && st.State.Ends[model.A].St == model.Closed {
				b.add(withRef(App("abort"), ref(n, "close A with SO_LINGER 0: abort")))
			} else {
				b.add(withRef(App("close"), ref(n, "close A")))
			}
			b.expectKernel(st.Label, n, before)
		case model.ActTimeout:
			if a.Side == model.B {
				continue // the peer's timer: its copy is sent when delivered
			}
			if a.Timer == model.TimerTW && before.St == model.FinWait2 {
				// Linux's tcp_fin_timeout (the query pins it): the orphaned
				// FIN_WAIT2 entry goes away silently after about that long.
				b.add(withRef(State("GONE", 5*time.Second), ref(n, "A's FIN-WAIT-2 times out (tcp_fin_timeout)")))
				continue
			}
			if a.Timer == model.TimerTW {
				return Script{}, fmt.Errorf("query %s: step %d needs A's TIME-WAIT to expire (60 s on Linux): not a fast scenario", q.Name, n)
			}
			b.expectKernel(st.Label, n, before) // a retransmission (Linux: RTO 200 ms, doubling)
		case model.ActConnect:
			return Script{}, fmt.Errorf("query %s: step %d connects a new incarnation; the compiler covers the first incarnation only", q.Name, n)
		case model.ActDrop, model.ActDuplicate, model.ActTick:
			// Losses are copies the peer never sends (or kernel copies the
			// peer ignores); duplicates are resent when delivered; model
			// time passes in the scripted peer's own pace.
		}
	}
	last := path.Last().Ends[model.A]
	b.add(withRef(State(procState(last.St), quick), fmt.Sprintf("model final state: A %s", last.St)),
		Silence(derivedHush))
	sysctls := map[string]string{}
	for k, v := range q.Sysctls {
		sysctls[k] = v
	}
	return Script{
		Name: q.Name, Doc: q.Doc + " (derived from the model's shortest witness)",
		KernelPort: derivedKernelPort, PeerPort: derivedPeerPort,
		Vars: Bindings{"p": derivedPeerISN}, Sysctls: sysctls,
		// The model's time is not the kernel's: a kernel retransmission that
		// the model's witness does not show is folded, not a divergence.
		FoldRetransmissions: true,
		Steps:               b.list,
	}, nil
}

// expectKernel adds what A — the kernel — emits in the witness step, or a
// silence when it emits nothing. before is A's endpoint before the step.
//
// One documented difference is allowed: where the model's A sends an RST
// without ACK from a connection (an abort, RFC 9293 §3.10.5:
// <SEQ=SND.NXT><CTL=RST>), Linux also sets ACK with RCV.NXT; every receiver
// in the model checks RST before ACK, so the field changes nothing there.
func (b *stepList) expectKernel(l model.Label, n int, before model.Endpoint) {
	if l.NSent == 0 {
		b.add(withRef(Silence(derivedHush), fmt.Sprintf("model step %d: A sends nothing", n)))
		return
	}
	for _, g := range l.Sent[:l.NSent] {
		if g.Src != model.A {
			continue
		}
		alts := []string{kernelSpec(g)}
		if g.Flags == model.RST && before.St.HasTCB() {
			withAck := g
			withAck.Flags, withAck.Ack = model.RST|model.ACK, before.RcvNxt
			alts = append(alts, kernelSpec(withAck))
		}
		b.add(withRef(Expect(quick, alts...), fmt.Sprintf("model step %d: A sends %s", n, g)))
	}
}

// peerSpec writes a copy B sends as a script segment: numbers relative to
// the peer's ISN p (B's sequence space) and the kernel's k (A's).
func peerSpec(g model.Segment) string {
	return modelSegSpec(g, "p", "k")
}

// kernelSpec writes a copy A sends as an expected kernel segment.
func kernelSpec(g model.Segment) string {
	return modelSegSpec(g, "k", "p")
}

func modelSegSpec(g model.Segment, own, peer string) string {
	var parts []string
	parts = append(parts, g.Flags.String(), fmt.Sprintf("seq=%s%s", own, offset(int(g.Seq))))
	if g.Flags.Has(model.ACK) {
		parts = append(parts, fmt.Sprintf("ack=%s%s", peer, offset(int(g.Ack))))
	}
	if g.Len > 0 {
		parts = append(parts, fmt.Sprintf("len=%d", g.Len))
	}
	return strings.Join(parts, " ")
}

func offset(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("+%d", n)
}

// procState maps a model state of A to /proc/net/tcp's name.
func procState(s model.ConnState) string {
	switch s {
	case model.Closed:
		return "GONE"
	case model.SynSent:
		return "SYN_SENT"
	case model.Established:
		return "ESTABLISHED"
	case model.FinWait1:
		return "FIN_WAIT1"
	case model.FinWait2:
		return "FIN_WAIT2"
	case model.CloseWait:
		return "CLOSE_WAIT"
	case model.Closing:
		return "CLOSING"
	case model.LastAck:
		return "LAST_ACK"
	case model.TimeWait:
		return "TIME_WAIT"
	}
	return s.String()
}
