package traces

// Packetdrill syntax (google/packetdrill, gtests/net/tcp: e.g.
// close/close-remote-fin-then-close.pkt and blocking/blocking-connect.pkt,
// and the scripts quoted in Linux netdev patches): a line is a time, then a
// system call with its expected result or a packet. "0" is absolute, "+N"
// is N seconds after the previous line. "< flags seq:end(len) ack N win W
// <options>" is a packet the script injects, "> ..." one the kernel must
// send; flags are S, F, R, P and "." for ACK ("S.", "F.", "R."); "<...>"
// accepts any TCP options. Sequence numbers of the kernel's space are
// relative to its initial sequence number (its SYN is 0:0(0)); the script's
// own numbers are taken as written. "//" starts a comment.

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/timewait/timewait/model"
)

// WritePacketdrill writes a replayed run as a packetdrill script that tests
// a real TCP stack against it: kernel is the endpoint played by the kernel
// under test, and the script plays the other one (the peer).
//
// Mapping. The peer's copies that the model delivers to the kernel become
// inbound "<" lines at their delivery time; a peer copy the network loses is
// never injected ("// lost: ..." comment). Everything the kernel emits
// becomes an outbound ">" expectation at the time it is sent, whether or not
// the network later loses it (the loss is a comment). The kernel's user
// calls become system calls: CLOSE is close(fd); a CONNECT of a new
// incarnation (kernel A) opens a new socket and connects it; a connection
// that reaches ESTABLISHED at the listening kernel (kernel B) is accept()ed;
// data the kernel receives is read() at once (closing a socket with unread
// data makes Linux send an RST). The peer's own steps (its user calls,
// timers, what it receives) and the network's duplications are comments.
// Every line ends with the number of the trace step it comes from, and the
// step that violates the property (or reaches the witness) is marked.
//
// Time. 1 model tick = 1 second, so MSL = 1 tick is a 1-second MSL; a
// sub-tick is 1/grid s. Lines carry "+N" relative times from the model's
// clock ([Times]); the setup is all at time 0.
//
// Setup. The model starts with the connection ESTABLISHED, ISS 0 on both
// sides, and B's one data octet (sequence number 1) in flight. The script
// builds that state: for kernel A, a client socket and connect() with the
// three-way handshake (the peer's ISS is 0); for kernel B, a listening
// socket (socket, bind, listen), the handshake, accept(), and a one-octet
// write() whose segment is the model's initial copy. Sequence numbers of
// the first incarnation are then the model's own numbers.
//
// What is approximate:
//   - A kernel's timers are its own. Retransmissions and the TIME-WAIT
//     expiry happen when the kernel's RTO and TIME-WAIT length say (Linux:
//     RTO from 200 ms up, TIME-WAIT 60 s), not when the model's do, so
//     timer-driven ">" lines and the lines after them hold only if the
//     kernel's timers match the model's configuration. A kernel with a
//     longer TIME-WAIT is expected to fail the script exactly where the
//     model's short TIME-WAIT lets the property break.
//   - Sequence numbers are the model's, modulo 8. The kernel's numbers are
//     written relative to the ISS of its current connection, as packetdrill
//     reads them, so a stale segment that collides with a new incarnation's
//     numbers in the model collides in the script too; numbers that wrap
//     modulo 8 in the model wrap in the script.
//   - A new incarnation is a new socket on the same 4-tuple: a kernel A
//     binds every socket to the same local port (with SO_REUSEADDR), and a
//     kernel B keeps its listening socket open while the model's B listens
//     again (it is closed after the last incarnation is accepted). A real
//     kernel chooses its own ISS for the new connection; the script's
//     relative numbers keep the model's overlap with the old one.
//   - The kernel may delay ACKs, coalesce segments or add options and the
//     PSH bit; data segments are written with PSH ("P."), SYN and SYN-ACK
//     expectations accept any options ("<...>"), and injected SYNs carry
//     <mss 1460>. Every injected segment has window 65535.
func WritePacketdrill(w io.Writer, r Replayed, kernel model.Side) error {
	if kernel != model.A && kernel != model.B {
		return fmt.Errorf("packetdrill: kernel side %d is neither A nor B", kernel)
	}
	for _, side := range []model.Side{model.A, model.B} {
		if e := r.Init.Ends[side]; e.St != model.Established || e.ISS != 0 {
			return fmt.Errorf("packetdrill: the setup expects the model's initial state (both ESTABLISHED with ISS 0), %s is %s", side, e)
		}
	}
	pd := &pdWriter{r: r, kernel: kernel, peer: kernel.Peer(), grid: max(r.Config.Grid, 1), open: map[int]bool{}}
	pd.header()
	pd.setup()
	pd.run()
	_, err := io.WriteString(w, pd.b.String())
	return err
}

// pdWriter builds one packetdrill script.
type pdWriter struct {
	r            Replayed
	kernel, peer model.Side
	grid         int
	b            strings.Builder
	open         map[int]bool // open file descriptors
	listenFD     int          // kernel B: the listening socket; 0 once closed
	connFD       int          // the kernel's current connection socket; 0 once closed
	kISS         model.Seq    // ISS of the kernel's current (or last) connection
	lastAt       int          // sub-ticks of the last timed line
	started      bool         // the first timed line is written
}

// header writes the comment block that says what the script is.
func (pd *pdWriter) header() {
	r := pd.r
	p := exportProperty(r)
	kind := r.Trace.Kind
	if kind == "" {
		kind = KindCounterexample
	}
	role := map[model.Side]string{model.A: "A, the client", model.B: "B, the server"}
	fmt.Fprintf(&pd.b, "// packetdrill script written by timewait from a %s", exportWhat(kind, p.ID))
	if p.Title != "" {
		fmt.Fprintf(&pd.b, ":\n//   %s", p.Title)
	}
	fmt.Fprintf(&pd.b, "\n// (%d steps", len(r.Steps))
	if r.Trace.Search != "" {
		fmt.Fprintf(&pd.b, ", %s search", r.Trace.Search)
	}
	pd.b.WriteString(").\n")
	fmt.Fprintf(&pd.b, "// Kernel under test: %s. The script plays %s.\n", role[pd.kernel], role[pd.peer])
	fmt.Fprintf(&pd.b, "// Time: 1 model tick = 1 s (MSL = %d s, TIME-WAIT = %d s, RTO = %d s); one sub-tick = 1/%d s.\n",
		r.Config.MSL, r.Config.TW, r.Config.EffectiveRTO(), pd.grid)
	cfg, _ := json.Marshal(r.Config)
	fmt.Fprintf(&pd.b, "// Model configuration: %s\n", cfg)
	pd.b.WriteString("// Approximate: the kernel's own timers (RTO, TIME-WAIT) decide when it retransmits and\n" +
		"// when TIME-WAIT ends; sequence numbers are the model's, modulo 8. See traces.WritePacketdrill.\n\n")
}

// line writes one timed line at model time at (sub-ticks) with an optional
// trailing comment.
func (pd *pdWriter) line(at int, text, comment string) {
	var t string
	switch {
	case !pd.started:
		t = "0"
		pd.started = true
	default:
		d := float64(at-pd.lastAt) / float64(pd.grid)
		// Microseconds: packetdrill's own resolution; a sub-tick of a third
		// of a second is +0.333333, not a 16-digit float.
		t = "+" + strings.TrimRight(strings.TrimRight(strconv.FormatFloat(d, 'f', 6, 64), "0"), ".")
	}
	pd.lastAt = at
	fmt.Fprintf(&pd.b, "%5s %s", t, text)
	if comment != "" {
		fmt.Fprintf(&pd.b, "   // %s", comment)
	}
	pd.b.WriteString("\n")
}

func (pd *pdWriter) comment(format string, args ...any) {
	fmt.Fprintf(&pd.b, "// "+format+"\n", args...)
}

// newFD returns the lowest free descriptor from 3 up, as the kernel does.
func (pd *pdWriter) newFD() int {
	fd := 3
	for pd.open[fd] {
		fd++
	}
	pd.open[fd] = true
	return fd
}

func (pd *pdWriter) closeFD(fd int) { delete(pd.open, fd) }

// setup builds the model's initial state: an established connection, and
// for kernel B its data octet written and sent.
func (pd *pdWriter) setup() {
	if pd.kernel == model.A {
		pd.comment("Setup: A connects; after the handshake both sides are ESTABLISHED with ISS 0.")
		fd := pd.clientSocket(0, "")
		pd.connFD = fd
		pd.line(0, "> S 0:0(0) <...>", "")
		pd.line(0, "< S. 0:0(0) ack 1 win 65535 <mss 1460>", "")
		pd.line(0, "> . 1:1(0) ack 1", "")
		pd.comment("B has written one data octet; its segment (seq 1) is in flight when the model starts.")
	} else {
		pd.comment("Setup: B listens and accepts A's connection; both sides are ESTABLISHED with ISS 0.")
		fd := pd.newFD()
		pd.listenFD = fd
		pd.line(0, fmt.Sprintf("socket(..., SOCK_STREAM, IPPROTO_TCP) = %d", fd), "")
		pd.line(0, fmt.Sprintf("setsockopt(%d, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", fd), "")
		pd.line(0, fmt.Sprintf("bind(%d, ..., ...) = 0", fd), "")
		pd.line(0, fmt.Sprintf("listen(%d, 1) = 0", fd), "")
		pd.line(0, "< S 0:0(0) win 65535 <mss 1460>", "")
		pd.line(0, "> S. 0:0(0) ack 1 <...>", "")
		pd.line(0, "< . 1:1(0) ack 1 win 65535", "")
		pd.accept(0, "", 1)
		pd.comment("B writes one data octet: the model's initial copy in flight.")
		pd.line(0, fmt.Sprintf("write(%d, ..., 1) = 1", pd.connFD), "")
		pd.line(0, "> P. 1:2(1) ack 1", "")
	}
	pd.b.WriteString("\n// The model's run starts here (t = 0).\n")
}

// clientSocket opens a non-blocking client socket bound to the same local
// port every time, and starts connecting it.
func (pd *pdWriter) clientSocket(at int, comment string) int {
	fd := pd.newFD()
	pd.line(at, fmt.Sprintf("socket(..., SOCK_STREAM, IPPROTO_TCP) = %d", fd), comment)
	pd.line(at, fmt.Sprintf("setsockopt(%d, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", fd), "")
	pd.line(at, fmt.Sprintf("bind(%d, ..., ...) = 0", fd), "same local port for every incarnation")
	pd.line(at, fmt.Sprintf("fcntl(%d, F_SETFL, O_RDWR|O_NONBLOCK) = 0", fd), "")
	pd.line(at, fmt.Sprintf("connect(%d, ..., ...) = -1 EINPROGRESS (Operation now in progress)", fd), "")
	return fd
}

// accept accepts a connection on the listening socket; after the last
// incarnation the model's B no longer listens, so the listener is closed.
func (pd *pdWriter) accept(at int, comment string, inc uint8) {
	fd := pd.newFD()
	pd.connFD = fd
	pd.line(at, fmt.Sprintf("accept(%d, ..., ...) = %d", pd.listenFD, fd), comment)
	if int(inc) >= pd.r.Config.Incarnations && pd.listenFD != 0 {
		pd.line(at, fmt.Sprintf("close(%d) = 0", pd.listenFD), "last incarnation: B stops listening")
		pd.closeFD(pd.listenFD)
		pd.listenFD = 0
	}
}

// run writes the model's steps.
func (pd *pdWriter) run() {
	r := pd.r
	times := Times(r)
	at := Evaluate(r, exportProperty(r))
	for i, st := range r.Steps {
		step, now := i+1, times[i]
		l := st.Label
		before, after := r.State(i).Ends[pd.kernel], st.State.Ends[pd.kernel]
		a := l.Action
		where := fmt.Sprintf("step %d", step)
		switch {
		case a.Kind == model.ActTick:
			// time passes; the next timed line carries it
		case a.Kind == model.ActDeliver && a.Seg.Src == pd.peer:
			pd.line(now, pd.inbound(a.Seg), where+": "+pdHandled(l))
			pd.emitted(now, l, after, where)
			if a.Seg.Len > 0 && before.RcvNxt != after.RcvNxt && pd.connFD != 0 {
				pd.line(now, fmt.Sprintf("read(%d, ..., 1) = 1", pd.connFD), "the user reads the data octet")
			}
			if pd.kernel == model.B && before.St == model.SynReceived && after.St.Synchronized() && pd.listenFD != 0 {
				pd.accept(now, "", after.Inc)
			}
		case a.Kind == model.ActClose && a.Side == pd.kernel:
			// close() frees the descriptor at once; the kernel keeps the
			// connection (FIN-WAIT-1, LAST-ACK, ...) until it ends.
			if pd.connFD == 0 {
				pd.comment("%s (t=%s): %s (no socket is open to close)", where, clock(now, pd.grid), pdHandled(l))
			} else {
				pd.line(now, fmt.Sprintf("close(%d) = 0", pd.connFD), where+": "+pdHandled(l))
				pd.closeFD(pd.connFD)
				pd.connFD = 0
			}
			pd.emitted(now, l, after, where)
		case a.Kind == model.ActConnect && a.Side == pd.kernel:
			fd := pd.clientSocket(now, where+": new incarnation "+strconv.Itoa(int(after.Inc)))
			pd.connFD = fd
			pd.emitted(now, l, after, where)
		case a.Kind == model.ActTimeout && a.Side == pd.kernel:
			if l.NSent == 0 {
				pd.comment("%s (t=%s) %s: %s", where, clock(now, pd.grid), pd.kernel, pdHandled(l))
			}
			pd.emitted(now, l, after, where+": "+pdHandled(l))
		case a.Kind == model.ActDrop:
			if a.Seg.Src == pd.peer {
				pd.comment("%s (t=%s): lost: %s (the script never sends it)", where, clock(now, pd.grid), a.Seg)
			} else {
				pd.comment("%s (t=%s): lost: %s (sent above; %s never receives it)", where, clock(now, pd.grid), a.Seg, pd.peer)
			}
		default:
			pd.comment("%s (t=%s) %s: %s", where, clock(now, pd.grid), actor(l), event(l))
		}
		if step == at {
			what := "violated"
			if r.Trace.Kind == KindWitness {
				what = "reached (witness)"
			}
			pd.comment("^ %s is %s at step %d.", r.Trace.Property, what, step)
		}
	}
	pd.b.WriteString("\n// End of the run.\n")
}

// emitted writes the kernel's emissions in a step as expectations.
func (pd *pdWriter) emitted(now int, l model.Label, after model.Endpoint, comment string) {
	if after.St.HasTCB() && after.ISS != pd.kISS {
		pd.kISS = after.ISS
		if comment != "" {
			comment += "; "
		}
		comment += fmt.Sprintf("the model's ISS of this connection is %d: the kernel's numbers are relative to it", pd.kISS)
	}
	for _, g := range l.Emitted() {
		pd.line(now, pd.outbound(g), comment)
		comment = ""
	}
}

// pdHandled is the handler and what it did.
func pdHandled(l model.Label) string {
	s := l.Handler.String()
	if l.Handler.Event == model.NoEvent {
		s = l.Action.String()
	}
	if l.Note != "" {
		s += ": " + l.Note
	}
	return s
}

// inbound is a "<" packet: the peer's numbers as they are, the kernel's
// (the ACK field) relative to the kernel's ISS.
func (pd *pdWriter) inbound(g model.Segment) string {
	seq := int(g.Seq)
	s := fmt.Sprintf("< %s %d:%d(%d)", pdFlags(g), seq, seq+int(g.Len), g.Len)
	if g.Flags.Has(model.ACK) {
		s += fmt.Sprintf(" ack %d", g.Ack.Sub(pd.kISS))
	}
	s += " win 65535"
	if g.Flags.Has(model.SYN) {
		s += " <mss 1460>"
	}
	return s
}

// outbound is a ">" packet: the kernel's numbers (SEQ) relative to its ISS,
// the peer's (ACK) as they are.
func (pd *pdWriter) outbound(g model.Segment) string {
	seq := g.Seq.Sub(pd.kISS)
	s := fmt.Sprintf("> %s %d:%d(%d)", pdFlags(g), seq, seq+int(g.Len), g.Len)
	if g.Flags.Has(model.ACK) {
		s += fmt.Sprintf(" ack %d", g.Ack)
	}
	if g.Flags.Has(model.SYN) {
		s += " <...>"
	}
	return s
}

// pdFlags spells the control bits as packetdrill does: S, F, R, P for a
// data segment, then "." for ACK ("S.", "F.", "R.", "P.").
func pdFlags(g model.Segment) string {
	var s string
	if g.Flags.Has(model.SYN) {
		s += "S"
	}
	if g.Flags.Has(model.FIN) {
		s += "F"
	}
	if g.Flags.Has(model.RST) {
		s += "R"
	}
	if g.Len > 0 {
		s += "P"
	}
	if g.Flags.Has(model.ACK) {
		s += "."
	}
	return s
}
