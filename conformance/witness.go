package conformance

import (
	"fmt"
	"strings"
	"time"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
)

// The witness compiler's fixed choices.
const (
	derivedKernelPort = 8081
	derivedPeerPort   = 40001
	derivedPeerISN    = 2000000
	// derivedHush is how long the kernel must stay silent where the model's
	// endpoint sends nothing.
	derivedHush = 150 * time.Millisecond
	// slowExpiry is how long a slow scenario waits for the kernel's
	// TIME_WAIT entry to go.
	slowExpiry = 75 * time.Second
	// twFull is Linux's TIME_WAIT (TCP_TIMEWAIT_LEN), and twAge how long a
	// script lets it run before a copy reaches it, so that whether the
	// copy restarts it shows in the timer.
	twFull = 60 * time.Second
	twAge  = 2 * time.Second
	// linuxTWISS is what Linux adds to a TIME-WAIT's SND.NXT for the ISS
	// of the connection a SYN reopens (tcp_timewait_state_process:
	// isn = tw_snd_nxt + 65535 + 2).
	linuxTWISS = 65535 + 2
	// The peer's TSvals: tsBase for the handshake before the model's
	// initial state, then tsPerSubTick per model sub-tick, plus
	// tsPerInc times the sender's incarnation (the model's tie-break
	// within a sub-tick). The steps are wider than Linux's PAWS window of
	// 1 (TCP_PAWS_WINDOW), so that a TSval the model calls older is older
	// for Linux too.
	tsBase       = 1000
	tsPerSubTick = 32
	tsPerInc     = 4
)

// numBase maps the model's sequence numbers of one side's incarnation onto
// the script's: model number x is the script's v + off + (x − iss) (the
// difference taken in the model's space).
type numBase struct {
	ok    bool
	v     string // "k", "p", or a later incarnation's own variable ("k2")
	off   int64
	iss   model.Seq
	fresh bool // v is the kernel's own random choice, unrelated to the other numbers
}

// sentKey identifies a copy the peer sent: its fields without age and
// retransmission flag (a retransmission is the same octets), and, with
// timestamps, the sub-tick it was sent in (its TSval).
type sentKey struct {
	g  model.Segment
	at int
}

// witnessCompiler maps a witness onto a script; see the table in
// docs/conformance.md ("From a model trace to a script").
type witnessCompiler struct {
	q            Query
	cfg          model.Config
	sp           model.Space
	kernel, peer model.Side
	ts           bool // the peer sends Timestamps options (Config.Timestamps)
	b            stepList
	bases        [2][8]numBase
	sent         map[sentKey]int
	now          int // model sub-ticks since the initial state
	twTicks      int // model sub-ticks since the kernel's side entered or last restarted TIME-WAIT
	// peerNxt is the peer's SND.NXT in each incarnation, last seen while
	// it had a connection (a CLOSED endpoint's numbers are zeroed).
	peerNxt [8]model.Seq
	// echo holds, for each RST the peer sent in answer to a segment, the
	// script expression of that segment's SEG.ACK: the RST's SEG.SEQ
	// (RFC 9293 §3.10.7.1, §3.10.7.3), which may be a number of the
	// sender's other incarnation, so it is written as that ACK field was.
	echo map[model.Segment]string
	// appOpen says the kernel's application holds a connection socket
	// (from connect or accept, until it closes it).
	appOpen bool
}

// echoKey is an emitted copy's identity, whatever its age (a
// retransmission is the same octets).
func echoKey(g model.Segment) model.Segment {
	g.Age, g.Rtx = 0, false
	return g
}

// answeredAck is the script expression of the SEG.ACK of the copy that
// step l delivers from side from, when l delivers one that acknowledges:
// the SEG.SEQ of an RST answering it.
func (c *witnessCompiler) answeredAck(l model.Label, from model.Side) (string, bool) {
	g := l.Action.Seg
	if l.Action.Kind != model.ActDeliver || g.Src != from || !g.Flags.Has(model.ACK) {
		return "", false
	}
	e, err := c.num(from.Peer(), g.Inc, g.Ack)
	return e, err == nil
}

// answersSegment reports whether an RST sent in state st answers a segment
// with <SEQ=SEG.ACK><CTL=RST>: from a state with no connection, or from
// one not yet synchronized (RFC 9293 §3.10.7.1, §3.10.7.3). An RST from a
// synchronized connection is an abort at SND.NXT.
func answersSegment(st model.ConnState) bool {
	return !st.HasTCB() || st == model.SynSent || st == model.SynReceived
}

// compileWitness compiles the witness of query q (run on the model with
// configuration cfg) into a script in which the kernel plays q.Kernel.
func compileWitness(q Query, cfg model.Config, sp model.Space, path *checker.Path[model.State, model.Label]) (Script, error) {
	c := &witnessCompiler{q: q, cfg: cfg, sp: sp, kernel: q.Kernel, peer: q.Kernel.Peer(),
		ts: cfg.Timestamps, sent: map[sentKey]int{}}
	c.echo = map[model.Segment]string{}
	c.peerNxt[1] = path.Init.Ends[c.peer].SndNxt
	// The model starts with both sides ESTABLISHED, ISS 0 on both: the
	// kernel's numbers are k+n and the peer's p+n.
	c.bases[c.kernel][1] = numBase{ok: true, v: "k"}
	c.bases[c.peer][1] = numBase{ok: true, v: "p"}
	c.prelude()
	c.appOpen = true
	prev := path.Init
	for i, st := range path.Steps {
		if err := c.step(i+1, prev, st.Label, st.State); err != nil {
			return Script{}, fmt.Errorf("query %s: step %d (%s): %w", q.Name, i+1, st.Label.Action, err)
		}
		c.note(i+1, prev, st.Label, st.State)
		prev = st.State
	}
	last := path.Last().Ends[c.kernel]
	c.b.add(withRef(State(procState(last.St), quick), fmt.Sprintf("model final state: %s %s", c.kernel, last.St)),
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
		Steps:               c.b.list,
	}, nil
}

// prelude is the handshake before the model's initial state, in which both
// sides are ESTABLISHED and B's data is in flight (none under
// Config.NoData).
func (c *witnessCompiler) prelude() {
	ts := c.tsOpt(-1, 0)
	if c.kernel == model.A {
		c.b.add(withRef(App("connect"), "model initial state: A connected (the kernel is A)"),
			Expect(quick, "SYN seq=k"),
			Send("SYN|ACK seq=p ack=k+1 mss=1460"+ts),
			Expect(quick, "ACK seq=k+1 ack=p+1"),
			State("ESTABLISHED", 0))
		return
	}
	// The kernel is B, the server: it listens, the peer connects, and the
	// kernel's application writes the data the model has B send first.
	c.b.add(withRef(App("listen"), "model initial state: B accepted A's connection (the kernel is B)"),
		Send("SYN seq=p mss=1460"+ts),
		Expect(quick, "SYN|ACK seq=k ack=p+1"),
		Send("ACK seq=p+1 ack=k+1"+ts),
		App("accept"),
		State("ESTABLISHED", 0))
	if c.cfg.NoData {
		return
	}
	n := c.cfg.EffectiveDataLen()
	c.b.add(withRef(App(fmt.Sprintf("write %d", n)), "model initial state: B's data in flight"),
		withRef(Expect(quick, fmt.Sprintf("ACK seq=k+1 ack=p+1 len=%d", n)), "model initial state: B's data in flight"))
}

// step compiles one witness step; from is the state before it.
func (c *witnessCompiler) step(n int, from model.State, l model.Label, to model.State) error {
	a := l.Action
	ref := func(what string) string { return fmt.Sprintf("model step %d: %s", n, what) }
	before := from.Ends[c.kernel]
	switch a.Kind {
	case model.ActDeliver:
		g := a.Seg
		if g.Src == c.kernel {
			return nil // the kernel's copy reaches the peer: nothing to do
		}
		if err := c.newKernelIncarnation(from, to); err != nil {
			return err
		}
		after := to.Ends[c.kernel]
		// A copy reaching the kernel's TIME-WAIT after model time has
		// passed there: let the kernel's timer run too, so that whether
		// the copy restarts it (as the model says) shows in the timer.
		inTW := before.St == model.TimeWait && after.St == model.TimeWait && after.Inc == before.Inc &&
			before.TW.On && after.TW.On && c.twTicks > 0
		restart := inTW && after.TW.Due > before.TW.Due
		if inTW {
			c.b.add(withRef(Sleep(twAge), ref("TIME-WAIT has run for a while before this copy")),
				State(fmt.Sprintf("TIME_WAIT timer<=%s", twFull-twAge*3/4), 0))
		}
		if kb := c.bases[c.kernel][before.Inc&7]; before.St.HasTCB() && g.Inc != before.Inc && kb.fresh && g.Flags.Has(model.ACK) {
			return fmt.Errorf("a copy of the peer's incarnation %d, acknowledging, reaches the kernel's incarnation %d, whose ISS the kernel chose at random: "+
				"what the model's connection does with its ACK field depends on numbers coinciding in the model's space", g.Inc, before.Inc)
		}
		spec, err := c.peerSpec(g, c.echo[echoKey(g)])
		if err != nil {
			return err
		}
		k := sentKey{g: echoKey(g)}
		if c.ts {
			k.at = c.now - int(g.Age)
		}
		if i, ok := c.sent[k]; ok {
			c.b.add(withRef(Resend(i), ref("deliver "+g.String()+" (the same octets again)")))
		} else {
			c.sent[k] = c.b.add(withRef(Send(spec), ref("deliver "+g.String())))
		}
		if g.Len > 0 && before.St.HasTCB() && after.RcvNxt != before.RcvNxt {
			// The kernel's application reads the data it accepted, as
			// the model's does: Linux answers close() with an RST, not a
			// FIN, when received data is left unread.
			c.b.add(withRef(App("read"), ref(c.kernel.String()+"'s application reads the data")))
		}
		if err := c.expectKernel(l, n, before); err != nil {
			return err
		}
		switch {
		case restart:
			c.b.add(withRef(State(fmt.Sprintf("TIME_WAIT timer>=%s", twFull-time.Second), 0),
				ref("the copy restarted TIME-WAIT: the kernel's timer is back to 60 s")))
			c.twTicks = 0 // no model time has passed since the restart
		case inTW:
			c.b.add(withRef(State(fmt.Sprintf("TIME_WAIT timer<=%s", twFull-time.Second), 0),
				ref("the copy did not restart TIME-WAIT: the kernel's timer runs on")))
		}
		if after.Inc > 1 && before.St == model.SynReceived && after.St == model.Established {
			c.b.add(withRef(App("accept"), ref("the kernel's application accepts the new connection")))
			c.appOpen = true
		}
	case model.ActClose:
		if a.Side != c.kernel {
			return nil // the peer's FIN is sent when the model delivers it
		}
		c.appOpen = false
		if c.cfg.CloseMode == model.CloseAbort && to.Ends[c.kernel].St == model.Closed {
			c.b.add(withRef(App("abort"), ref("close "+c.kernel.String()+" with SO_LINGER 0: abort")))
		} else {
			c.b.add(withRef(App("close"), ref("close "+c.kernel.String())))
		}
		return c.expectKernel(l, n, before)
	case model.ActTimeout:
		if a.Side != c.kernel {
			return nil // the peer's timer: its copy is sent when delivered
		}
		if a.Timer == model.TimerTW && before.St == model.FinWait2 {
			// Linux's tcp_fin_timeout (the query pins it): the orphaned
			// FIN_WAIT2 entry goes away silently after about that long.
			c.b.add(withRef(State("GONE", 5*time.Second), ref("the kernel's FIN-WAIT-2 times out (tcp_fin_timeout)")))
			return nil
		}
		if a.Timer == model.TimerTW {
			if !c.q.Slow {
				return fmt.Errorf("needs the kernel's TIME-WAIT to expire (60 s on Linux): not a fast scenario (mark the query Slow)")
			}
			// Linux's TIME_WAIT is 60 s on a timer wheel: it went 60.4
			// and 62.0 s after it began here (docs/conformance.md).
			c.b.add(withRef(State("GONE", slowExpiry), ref("the kernel's TIME-WAIT expires (60 s on Linux)")))
		}
		// A retransmission (Linux: RTO 200 ms, doubling), or the silence
		// of an expiry.
		return c.expectKernel(l, n, before)
	case model.ActConnect:
		if a.Side == c.kernel {
			return fmt.Errorf("the kernel's side connects a new incarnation; the compiler plays new incarnations on the peer's side only")
		}
		return c.newPeerIncarnation(from, to)
	case model.ActTick:
		c.now++
		if before.St == model.TimeWait {
			c.twTicks++
		}
	case model.ActDrop, model.ActDuplicate:
		// Losses are copies the peer never sends (or kernel copies the
		// peer ignores); duplicates are resent when delivered.
	}
	return nil
}

// note keeps what later steps need from this one: time in the kernel's
// TIME-WAIT, the peer's last SND.NXT per incarnation, and which RSTs the
// peer sent in answer to a segment.
func (c *witnessCompiler) note(n int, from model.State, l model.Label, to model.State) {
	if c.appOpen && from.Ends[c.kernel].St.HasTCB() && !to.Ends[c.kernel].St.HasTCB() {
		// The connection ended under the application (reset, or its
		// retransmissions gave up), which still holds the socket: it
		// closes it (nothing is sent).
		c.b.add(withRef(App("close"), fmt.Sprintf("model step %d: the kernel's application closes its dead socket", n)))
		c.appOpen = false
	}
	if k := to.Ends[c.kernel]; k.St != model.TimeWait {
		c.twTicks = 0
	}
	if p := to.Ends[c.peer]; p.St.HasTCB() {
		c.peerNxt[p.Inc&7] = p.SndNxt
	}
	for _, g := range l.Sent[:l.NSent] {
		if g.Src == c.peer && g.Flags == model.RST && (g.Orphan || answersSegment(from.Ends[c.peer].St)) {
			if e, ok := c.answeredAck(l, c.kernel); ok {
				c.echo[echoKey(g)] = e
			}
		}
	}
}

// newPeerIncarnation gives the peer's new incarnation its numbers: the
// model's ISS relative to the number the kernel compares it with (its
// RCV.NXT while it holds the old connection, else the peer's old SND.NXT),
// with the sign the model's comparison gives it, so that "above" and
// "below" mean the same to the kernel.
func (c *witnessCompiler) newPeerIncarnation(from, to model.State) error {
	ne := to.Ends[c.peer]
	ke, pe := from.Ends[c.kernel], from.Ends[c.peer]
	refInc, ref := pe.Inc, c.peerNxt[pe.Inc&7]
	if ke.St.HasTCB() {
		refInc, ref = ke.Inc, ke.RcvNxt
	}
	rb := c.bases[c.peer][refInc]
	if !rb.ok {
		return fmt.Errorf("no numbers for %s's incarnation %d", c.peer, refInc)
	}
	d := c.sp.Sub(ne.ISS, ref)
	switch half := int(c.sp) / 2; {
	case d == half:
		return fmt.Errorf("the new ISS %d is half the space (%d) from %d: neither above nor below, unlike in 32 bits", ne.ISS, c.sp, ref)
	case d > half:
		d -= int(c.sp)
	}
	c.bases[c.peer][ne.Inc] = numBase{ok: true, v: rb.v, off: rb.off + int64(c.sp.Sub(ref, rb.iss)) + int64(d), iss: ne.ISS}
	return nil
}

// newKernelIncarnation gives a new incarnation of the kernel's side its
// numbers. Where the model's rule is Linux's (a SYN reopening TIME-WAIT,
// Config.TWSyn linux), the ISS is tw_snd_nxt + 65537 exactly; otherwise the
// kernel's SYN-ACK binds a new variable (k2, k3, …).
func (c *witnessCompiler) newKernelIncarnation(from, to model.State) error {
	old, ne := from.Ends[c.kernel], to.Ends[c.kernel]
	if !ne.St.HasTCB() || c.bases[c.kernel][ne.Inc&7].ok {
		return nil // no connection yet (a listener's ISS is a placeholder), or known
	}
	if old.St == model.TimeWait && c.cfg.TWSyn == model.SynLinux {
		if want := c.sp.Add(old.SndNxt, c.cfg.EffectiveWindow()+2); ne.ISS != want {
			return fmt.Errorf("the model's new ISS %d is not Linux's SND.NXT+RCV.WND+2 = %d", ne.ISS, want)
		}
		ob := c.bases[c.kernel][old.Inc]
		if !ob.ok {
			return fmt.Errorf("no numbers for %s's incarnation %d", c.kernel, old.Inc)
		}
		c.bases[c.kernel][ne.Inc] = numBase{ok: true, v: ob.v, off: ob.off + int64(c.sp.Sub(old.SndNxt, ob.iss)) + linuxTWISS, iss: ne.ISS}
		return nil
	}
	c.bases[c.kernel][ne.Inc] = numBase{ok: true, v: fmt.Sprintf("k%d", ne.Inc), iss: ne.ISS, fresh: true}
	return nil
}

// num writes model number x of side's incarnation inc as a script
// expression.
func (c *witnessCompiler) num(side model.Side, inc uint8, x model.Seq) (string, error) {
	b := c.bases[side][inc&7]
	if !b.ok {
		return "", fmt.Errorf("no numbers for %s's incarnation %d", side, inc)
	}
	switch n := b.off + int64(c.sp.Sub(x, b.iss)); {
	case n == 0:
		return b.v, nil
	case n < 0:
		return fmt.Sprintf("%s-%d", b.v, -n), nil
	default:
		return fmt.Sprintf("%s+%d", b.v, n), nil
	}
}

// segSpec writes a model copy as a script segment: its SEG.SEQ in its
// sender's numbers, its SEG.ACK in the receiver's, both of the copy's
// incarnation (an incarnation's copies acknowledge the same incarnation of
// the other side; an RST answering a segment carries that segment's). An
// RST|ACK answering a segment without ACK has SEG.SEQ 0 (RFC 9293
// §3.10.7.1), a literal, not a number of either side.
//
// echo, when not empty, is the SEG.SEQ of an RST that answers a segment
// with <SEQ=SEG.ACK><CTL=RST> (from a CLOSED or LISTEN endpoint, or a
// connection not yet synchronized): the answered segment's ACK field as
// the script wrote it.
func (c *witnessCompiler) segSpec(g model.Segment, echo string) (string, error) {
	parts := []string{g.Flags.String()}
	if echo != "" && g.Flags == model.RST {
		parts = append(parts, "seq="+echo)
	} else if g.Orphan && g.Flags.Has(model.RST) && g.Flags.Has(model.ACK) && g.Seq == 0 {
		parts = append(parts, "seq=0")
	} else {
		s, err := c.num(g.Src, g.Inc, g.Seq)
		if err != nil {
			return "", err
		}
		parts = append(parts, "seq="+s)
	}
	if g.Flags.Has(model.ACK) {
		s, err := c.num(g.Src.Peer(), g.Inc, g.Ack)
		if err != nil {
			return "", err
		}
		parts = append(parts, "ack="+s)
	}
	if g.Len > 0 {
		parts = append(parts, fmt.Sprintf("len=%d", g.Len))
	}
	return strings.Join(parts, " "), nil
}

// peerSpec is segSpec for a copy the peer sends, with its Timestamps option
// when the model has timestamps (every segment but an RST, as the model).
func (c *witnessCompiler) peerSpec(g model.Segment, echo string) (string, error) {
	s, err := c.segSpec(g, echo)
	if err != nil || g.Flags.Has(model.RST) {
		return s, err
	}
	return s + c.tsOpt(c.now-int(g.Age), g.Inc), nil
}

// tsOpt is the Timestamps option of a peer segment sent in model sub-tick
// at by incarnation inc, or "" without timestamps. TSecr is 0: Linux checks
// it only in SYN-SENT, and only when it is not 0.
func (c *witnessCompiler) tsOpt(at int, inc uint8) string {
	if !c.ts {
		return ""
	}
	return fmt.Sprintf(" ts=%d,0", tsBase+tsPerSubTick*(at+1)+tsPerInc*int(inc))
}

// expectKernel adds what the kernel's side emits in the witness step, or a
// silence when it emits nothing. before is its endpoint before the step.
//
// One documented difference is allowed: where the model's endpoint sends
// an RST without ACK from a connection (an abort, RFC 9293 §3.10.5:
// <SEQ=SND.NXT><CTL=RST>), Linux also sets ACK with RCV.NXT; every receiver
// in the model checks RST before ACK, so the field changes nothing there.
func (c *witnessCompiler) expectKernel(l model.Label, n int, before model.Endpoint) error {
	var sent int
	for _, g := range l.Sent[:l.NSent] {
		if g.Src != c.kernel {
			continue
		}
		sent++
		var echo string
		if g.Orphan || answersSegment(before.St) {
			echo, _ = c.answeredAck(l, c.peer)
		}
		spec, err := c.segSpec(g, echo)
		if err != nil {
			return err
		}
		alts := []string{spec}
		if g.Flags == model.RST && before.St.HasTCB() {
			withAck := g
			withAck.Flags, withAck.Ack = model.RST|model.ACK, before.RcvNxt
			alt, err := c.segSpec(withAck, "")
			if err != nil {
				return err
			}
			alts = append(alts, alt)
		}
		c.b.add(withRef(Expect(quick, alts...), fmt.Sprintf("model step %d: %s sends %s", n, c.kernel, g)))
	}
	if sent == 0 {
		c.b.add(withRef(Silence(derivedHush), fmt.Sprintf("model step %d: %s sends nothing", n, c.kernel)))
	}
	return nil
}

// procState maps a model state to /proc/net/tcp's name for the
// connection's 4-tuple. A listening endpoint has no connection on it (the
// kernel's listener is a socket of its own).
func procState(s model.ConnState) string {
	switch s {
	case model.Closed, model.Listen:
		return "GONE"
	case model.SynSent:
		return "SYN_SENT"
	case model.SynReceived:
		return "SYN_RECV"
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
