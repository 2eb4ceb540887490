package conformance

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// packet is one datagram read from the peer's side of the device, with the
// time it was read.
type packet struct {
	at   time.Time
	data []byte
}

// wire is the peer's side of the link: what the executor writes reaches
// the kernel, and everything the kernel routes to the peer can be read.
type wire interface {
	// write sends one IPv4 datagram to the kernel.
	write(b []byte) error
	// next returns the next datagram read (possibly one read before the
	// call), or false once deadline passes with none.
	next(deadline time.Time) (packet, bool)
}

// host is the kernel's side: its application and its socket table.
type host interface {
	// do runs an application action. An error wrapping *kernelRefused is
	// the kernel's doing (a divergence); any other is a failure to run.
	do(op appOp) error
	// sockets reads the TCP socket table (/proc/self/net/tcp).
	sockets() ([]Socket, error)
}

// kernelRefused marks an application action the kernel refused or that
// did not happen in time (connect failed, no connection to accept): a
// behaviour of the kernel, so a divergence rather than an error.
type kernelRefused struct{ err error }

// Error is the refused action's error.
func (e *kernelRefused) Error() string { return e.err.Error() }

// Unwrap returns the refused action's error.
func (e *kernelRefused) Unwrap() error { return e.err }

// packetQueue holds the datagrams read from the device until the executor
// consumes them; whoever reads the device sends on ch (and closes it when
// the device is gone).
type packetQueue struct {
	ch chan packet
}

// maxQueued bounds the datagrams read but not yet consumed.
const maxQueued = 4096

func newPacketQueue() packetQueue { return packetQueue{ch: make(chan packet, maxQueued)} }

// next returns the next queued datagram, waiting until deadline at most; a
// zero deadline does not wait.
func (q packetQueue) next(deadline time.Time) (packet, bool) {
	select {
	case p, ok := <-q.ch:
		return p, ok
	default:
	}
	d := time.Until(deadline)
	if deadline.IsZero() || d <= 0 {
		return packet{}, false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case p, ok := <-q.ch:
		return p, ok
	case <-t.C:
		return packet{}, false
	}
}

// statePoll is how often a State step looks at the socket table.
const statePoll = 10 * time.Millisecond

// executor runs one compiled script against a wire and a host.
type executor struct {
	steps []cstep
	fold  bool
	ep    endpoints
	w     wire
	h     host
	t0    time.Time
	b     Bindings
	sent  map[int][]byte  // datagrams of send steps, by step index
	seen  map[segKey]bool // every kernel segment so far, for folding
	rep   Report
}

// execute runs the script (already compiled into steps) and returns its
// report. The caller fills in Kernel and Sysctls.
func execute(s Script, steps []cstep, w wire, h host) Report {
	e := &executor{
		steps: steps, fold: s.FoldRetransmissions,
		ep: endpoints{kernel: netip.AddrPortFrom(KernelAddr(), s.KernelPort), peer: netip.AddrPortFrom(PeerAddr(), s.PeerPort)},
		w:  w, h: h, t0: time.Now(), b: s.Vars.clone(),
		sent: map[int][]byte{}, seen: map[segKey]bool{},
	}
	e.rep = Report{Scenario: s.Name, Doc: s.Doc, Verdict: Verdict{Outcome: Conforms}}
	for i, c := range steps {
		rec := StepRecord{N: i + 1, Step: s.Steps[i].String(), Ref: s.Steps[i].Ref, Start: e.since(time.Now())}
		v := e.run(i, c, &rec)
		rec.End, rec.OK = e.since(time.Now()), v == nil
		e.rep.Steps = append(e.rep.Steps, rec)
		if v != nil {
			v.Step = i + 1
			e.rep.Verdict = *v
			break
		}
	}
	if e.rep.Verdict.Outcome == Conforms {
		e.checkTrailing(len(steps) + 1)
	}
	e.rep.Bindings = e.b
	e.rep.Elapsed = e.since(time.Now())
	return e.rep
}

// checkTrailing reads what is left without waiting: a TCP segment to the
// peer that no step consumed is a divergence after the last step.
func (e *executor) checkTrailing(after int) {
	for {
		p, ok := e.w.next(time.Time{})
		if !ok {
			return
		}
		seg, ev, relevant := e.classify(p)
		if relevant && e.fold && e.seen[keyOf(seg)] {
			ev.Note = "retransmission (folded)"
			relevant = false
		}
		e.rep.Trailing = append(e.rep.Trailing, ev)
		if relevant {
			e.rep.Verdict = Verdict{Outcome: Diverges, Step: after,
				Expected: "no segment that no step accounts for", Got: ev.Segment + " at " + seconds(ev.At)}
			return
		}
	}
}

func (e *executor) since(t time.Time) Duration { return Duration(t.Sub(e.t0)) }

// run runs step i and returns nil when it passed.
func (e *executor) run(i int, c cstep, rec *StepRecord) *Verdict {
	switch c.kind {
	case kindSend:
		seg, err := c.send.build(e.b, e.ep)
		if err != nil {
			return failed(err)
		}
		b, err := seg.Marshal()
		if err != nil {
			return failed(err)
		}
		e.sent[i] = b
		return e.write(b, seg, "", rec)
	case kindResend:
		b := e.sent[c.resend]
		seg, err := Decode(b)
		if err != nil {
			return failed(fmt.Errorf("re-reading step %d's datagram: %v", c.resend+1, err))
		}
		return e.write(b, seg, fmt.Sprintf("step %d resent byte for byte", c.resend+1), rec)
	case kindExpect:
		return e.expect(c, rec)
	case kindSilence:
		return e.silence(c.dur, rec)
	case kindApp:
		if err := e.h.do(c.app); err != nil {
			var kr *kernelRefused
			if errors.As(err, &kr) {
				return &Verdict{Outcome: Diverges, Expected: "app " + c.app.String() + " to succeed", Got: err.Error()}
			}
			return failed(err)
		}
		return nil
	case kindState:
		return e.state(c, rec)
	case kindSleep:
		time.Sleep(c.dur)
		return nil
	}
	return failed(fmt.Errorf("unknown step kind %d", c.kind))
}

func failed(err error) *Verdict { return &Verdict{Outcome: Failed, Err: err.Error()} }

func (e *executor) write(b []byte, seg Segment, note string, rec *StepRecord) *Verdict {
	at := time.Now()
	if err := e.w.write(b); err != nil {
		return failed(fmt.Errorf("writing to the device: %v", err))
	}
	rec.Events = append(rec.Events, Event{At: e.since(at), Dir: PeerToKernel,
		Segment: describe(seg, e.b, e.ep), Raw: seg.String(), Note: note})
	return nil
}

// classify decodes a datagram read from the device. relevant says whether
// it is a TCP segment addressed to the peer (what scripts talk about);
// anything else is recorded as Other and otherwise ignored.
func (e *executor) classify(p packet) (Segment, Event, bool) {
	ev := Event{At: e.since(p.at), Dir: Other}
	seg, err := Decode(p.data)
	if err != nil {
		ev.Segment, ev.Raw, ev.Note = "undecodable datagram", fmt.Sprintf("%d octets", len(p.data)), err.Error()
		return Segment{}, ev, false
	}
	ev.Segment, ev.Raw = describe(seg, e.b, e.ep), seg.String()
	if seg.Dst.Addr() != e.ep.peer.Addr() {
		ev.Note = "not addressed to the peer"
		return seg, ev, false
	}
	ev.Dir = KernelToPeer
	return seg, ev, true
}

// expect reads kernel segments until one alternative is complete, a
// segment continues none, or the window closes.
func (e *executor) expect(c cstep, rec *StepRecord) *Verdict {
	deadline := time.Now().Add(c.dur)
	m := newMatcher(c.alts, e.b, e.ep)
	want := fmt.Sprintf("%s within %s", expectedText(c.alts), c.dur)
	for {
		p, ok := e.w.next(deadline)
		if !ok {
			return &Verdict{Outcome: Diverges, Expected: want, Got: m.furthest()}
		}
		seg, ev, relevant := e.classify(p)
		if !relevant {
			rec.Events = append(rec.Events, ev)
			continue
		}
		res := m.feed(seg)
		if res.kind == feedMismatch && e.fold && e.seen[keyOf(seg)] {
			res.kind = feedFolded
		}
		e.seen[keyOf(seg)] = true
		switch res.kind {
		case feedFolded:
			ev.Note = "retransmission (folded)"
		case feedDone:
			ev.Segment = describe(seg, res.bindings, e.ep)
			rec.Events = append(rec.Events, ev)
			rec.Matched = altText(c.alts[res.alt])
			rec.Bound = newBindings(e.b, res.bindings).String()
			e.b = res.bindings
			return nil
		case feedMismatch:
			rec.Events = append(rec.Events, ev)
			return &Verdict{Outcome: Diverges, Expected: want,
				Got: fmt.Sprintf("%s at %s (%s)", ev.Segment, seconds(ev.At), res.reason)}
		}
		rec.Events = append(rec.Events, ev)
	}
}

// newBindings returns what after binds that before did not.
func newBindings(before, after Bindings) Bindings {
	nb := Bindings{}
	for k, v := range after {
		if _, ok := before[k]; !ok {
			nb[k] = v
		}
	}
	return nb
}

// silence passes when no kernel segment to the peer is read for d.
func (e *executor) silence(d time.Duration, rec *StepRecord) *Verdict {
	deadline := time.Now().Add(d)
	for {
		p, ok := e.w.next(deadline)
		if !ok {
			return nil
		}
		seg, ev, relevant := e.classify(p)
		if relevant && e.fold && e.seen[keyOf(seg)] {
			ev.Note, relevant = "retransmission (folded)", false
		}
		rec.Events = append(rec.Events, ev)
		if relevant {
			e.seen[keyOf(seg)] = true
			return &Verdict{Outcome: Diverges, Expected: "silence for " + d.String(), Got: ev.Segment + " at " + seconds(ev.At)}
		}
	}
}

// state polls the socket table until the socket matches or the window
// closes.
func (e *executor) state(c cstep, rec *StepRecord) *Verdict {
	deadline := time.Now().Add(c.dur)
	for {
		socks, err := e.h.sockets()
		if err != nil {
			return failed(err)
		}
		sock := findSocket(socks, e.ep, c.state.listener)
		rec.Observed = StateGone.String()
		if sock != nil {
			rec.Observed = sock.String()
		}
		if c.state.holds(sock) {
			return nil
		}
		if !time.Now().Before(deadline) {
			want := c.state.text
			if c.dur > 0 {
				want += " within " + c.dur.String()
			}
			return &Verdict{Outcome: Diverges, Expected: want, Got: rec.Observed}
		}
		time.Sleep(min(statePoll, time.Until(deadline)))
	}
}

// String writes the action as a script does.
func (op appOp) String() string {
	if op.name == "write" {
		return fmt.Sprintf("write %d", op.n)
	}
	return op.name
}
