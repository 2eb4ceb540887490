package conformance

import "time"

// Infrastructure scenarios: hand-written scripts that check this package's
// runner, packet layer, socket control and executor against the kernel
// behaviour recorded in linux-kernel.md (the shared reference notes). They
// are not the model-derived conformance scenarios, which will be compiled
// from the explorer's witnesses; their names start with "infra-".

const (
	infraKernelPort = 8080
	infraPeerPort   = 40000
	infraPeerISN    = 1000000
	// quick is the window for a reply the kernel sends at once; the step
	// ends as soon as the reply is read, so a long window costs nothing
	// when the kernel conforms and tolerates a loaded machine.
	quick = 2 * time.Second
	// hush is how long a silence is awaited.
	hush = 200 * time.Millisecond
)

// refFact cites a fact of linux-kernel.md.
func refFact(s string) string { return "linux-kernel.md: " + s }

// stepList collects a script's steps and numbers them for Resend.
type stepList struct{ list []Step }

// add appends steps and returns the number (from 1) of the last one.
func (b *stepList) add(s ...Step) int {
	b.list = append(b.list, s...)
	return len(b.list)
}

func withRef(s Step, ref string) Step {
	s.Ref = ref
	return s
}

// passiveOpen: the kernel listens and the peer connects.
func (b *stepList) passiveOpen() {
	b.add(App("listen"),
		Send("SYN seq=p mss=1460"),
		Expect(quick, "SYN|ACK seq=k ack=p+1"),
		Send("ACK seq=p+1 ack=k+1"),
		App("accept"),
		State("ESTABLISHED", 0))
}

// activeCloseToTimeWait: from ESTABLISHED, the kernel's application closes
// and the peer completes the close; it returns the number of the peer's
// FIN step.
func (b *stepList) activeCloseToTimeWait() int {
	ref := refFact("kernel is the active closer")
	b.add(withRef(App("close"), ref),
		Expect(quick, "FIN|ACK seq=k+1 ack=p+1"),
		Send("ACK seq=p+1 ack=k+2"),
		State("FIN_WAIT2", quick))
	fin := b.add(Send("FIN|ACK seq=p+1 ack=k+2"))
	b.add(Expect(quick, "ACK seq=k+2 ack=p+2"),
		withRef(State("TIME_WAIT timer>=59s timer<=60s", 0), refFact("TIME_WAIT, timer 60 s")))
	return fin
}

func infraScript(name, doc string, sysctls map[string]string, b stepList) Script {
	return Script{
		Name: name, Doc: doc, KernelPort: infraKernelPort, PeerPort: infraPeerPort,
		Vars: Bindings{"p": infraPeerISN}, Sysctls: sysctls, Steps: b.list,
	}
}

// InfrastructureScenarios returns the hand-written scripts that validate
// the infrastructure against linux-kernel.md, fast ones first; the last,
// infra-time-wait-expiry, waits for the 60 s TIME_WAIT expiry (its Budget
// says so). Each call returns fresh values.
func InfrastructureScenarios() []Script {
	var out []Script
	add := func(name, doc string, sysctls map[string]string, build func(b *stepList)) {
		var b stepList
		build(&b)
		out = append(out, infraScript(name, doc, sysctls, b))
	}

	add("infra-active-close", "kernel listener closes first: FIN, the peer's ACK and FIN, the kernel's last ACK, TIME_WAIT for 60 s", nil,
		func(b *stepList) {
			b.passiveOpen()
			b.activeCloseToTimeWait()
			b.add(Silence(hush))
		})

	add("infra-time-wait-retransmitted-fin", "a retransmitted FIN in TIME_WAIT is answered with an ACK and restarts the 60 s timer", nil,
		func(b *stepList) {
			b.passiveOpen()
			fin := b.activeCloseToTimeWait()
			b.add(Sleep(2500*time.Millisecond),
				State("TIME_WAIT timer<=58s", 0),
				withRef(Resend(fin), refFact("retransmitted FIN in TIME_WAIT")),
				Expect(quick, "ACK seq=k+2 ack=p+2"),
				withRef(State("TIME_WAIT timer>=59s", 0), refFact("the TIME_WAIT timer restarts to the full 60 s")),
				Silence(hush))
		})

	add("infra-closed-port", "segments to a port with no socket: the RST shapes of RFC 9293 §3.10.7.1", nil,
		func(b *stepList) {
			ref := refFact("no socket on the port")
			b.add(withRef(Send("FIN|ACK seq=5000 ack=777777"), ref), Expect(quick, "RST seq=777777"),
				Send("FIN seq=5000"), Expect(quick, "RST|ACK seq=0 ack=5001"),
				Send("SYN seq=9000"), Expect(quick, "RST|ACK seq=0 ack=9001"),
				Send("ACK|PSH seq=100 ack=4242 len=10"), Expect(quick, "RST seq=4242"),
				Send("RST seq=100"), Silence(hush))
		})

	rstIntoTimeWait := func(b *stepList) {
		b.passiveOpen()
		b.activeCloseToTimeWait()
		ref := refFact("RSTs at rcv_nxt+1000 or rcv_nxt-1 are ignored")
		b.add(withRef(Send("RST seq=p+1002"), ref), Silence(hush), State("TIME_WAIT", 0),
			withRef(Send("RST seq=p+1"), ref), Silence(hush), State("TIME_WAIT", 0),
			withRef(Send("RST seq=p+2"), refFact("RST into TIME_WAIT at rcv_nxt exactly")), Silence(hush))
	}
	add("infra-rst-time-wait-rfc1337-0", "tcp_rfc1337=0: an RST at rcv_nxt exactly kills TIME_WAIT (assassination); the listener then answers a FIN with RST",
		map[string]string{"net/ipv4/tcp_rfc1337": "0"},
		func(b *stepList) {
			rstIntoTimeWait(b)
			b.add(State("GONE", quick),
				withRef(Send("FIN|ACK seq=p+1 ack=k+2"), refFact("a probe FIN afterwards is answered by the listener with RST")),
				Expect(quick, "RST seq=k+2"), Silence(hush))
		})
	add("infra-rst-time-wait-rfc1337-1", "tcp_rfc1337=1: TIME_WAIT ignores every RST, without restarting its timer; a probe FIN still gets TIME_WAIT's ACK",
		map[string]string{"net/ipv4/tcp_rfc1337": "1"},
		func(b *stepList) {
			rstIntoTimeWait(b)
			// At least two 200 ms silences have passed since TIME_WAIT began:
			// a restarted timer would read about 60 s.
			b.add(withRef(State("TIME_WAIT timer<=59.8s", 0), refFact("RSTs do not reschedule TIME_WAIT (tcp_timewait_state_process)")),
				withRef(Send("FIN|ACK seq=p+1 ack=k+2"), refFact("with tcp_rfc1337=1 the entry survives and a probe FIN gets an ACK")),
				Expect(quick, "ACK seq=k+2 ack=p+2"), Silence(hush))
		})

	add("infra-passive-close-retransmits-fin", "kernel as passive closer: ACKs the peer's FIN (CLOSE_WAIT), closes (LAST_ACK), retransmits its FIN until ACKed, then is gone (no TIME_WAIT)", nil,
		func(b *stepList) {
			b.passiveOpen()
			ref := refFact("kernel as passive closer")
			b.add(withRef(Send("FIN|ACK seq=p+1 ack=k+1"), ref), Expect(quick, "ACK seq=k+1 ack=p+2"), State("CLOSE_WAIT", 0),
				App("close"), Expect(quick, "FIN|ACK seq=k+1 ack=p+2"), State("LAST_ACK", 0),
				withRef(Expect(quick, "FIN|ACK seq=k+1 ack=p+2"), refFact("retransmits the identical FIN at about +207 ms, +623 ms")),
				Expect(quick, "FIN|ACK seq=k+1 ack=p+2"),
				Send("ACK seq=p+2 ack=k+2"), withRef(State("GONE", quick), refFact("the passive closer never enters TIME_WAIT")),
				Silence(hush))
		})

	piggyback := func(pause time.Duration) func(b *stepList) {
		return func(b *stepList) {
			b.passiveOpen()
			b.add(Send("FIN|ACK seq=p+1 ack=k+1"))
			if pause > 0 {
				b.add(Sleep(pause))
			}
			b.add(App("close"),
				withRef(Expect(quick, "FIN|ACK seq=k+1 ack=p+2", "ACK seq=k+1 ack=p+2; FIN|ACK seq=k+1 ack=p+2"),
					refFact("piggybacked ACK: both shapes are legal")),
				Send("ACK seq=p+2 ack=k+2"), State("GONE", quick), Silence(hush))
		}
	}
	add("infra-passive-close-immediate", "the application closes right after the peer's FIN: one FIN|ACK, or an ACK then a FIN|ACK", nil, piggyback(0))
	add("infra-passive-close-delayed", "the application closes 100 ms after the peer's FIN: the kernel's ACK has gone first, then its FIN|ACK", nil, piggyback(100*time.Millisecond))

	add("infra-simultaneous-close", "the peer's FIN crosses the kernel's: FIN_WAIT1 → CLOSING → TIME_WAIT", nil,
		func(b *stepList) {
			b.passiveOpen()
			b.add(App("close"), Expect(quick, "FIN|ACK seq=k+1 ack=p+1"),
				Send("FIN|ACK seq=p+1 ack=k+1"), Expect(quick, "ACK seq=k+2 ack=p+2"), State("CLOSING", 0),
				Send("ACK seq=p+2 ack=k+2"), State("TIME_WAIT timer>=59s", quick), Silence(hush))
		})

	add("infra-so-linger-zero", "SO_LINGER {on, 0}: close sends RST|ACK and frees the socket (no FIN, no TIME_WAIT); the listener then resets the peer's ACK", nil,
		func(b *stepList) {
			b.passiveOpen()
			b.add(withRef(App("abort"), refFact("SO_LINGER with a zero timeout turns close() into an abort")),
				Expect(quick, "RST|ACK seq=k+1 ack=p+1"), State("GONE", 0),
				Send("ACK seq=p+1 ack=k+1"), Expect(quick, "RST seq=k+1"), Silence(hush))
		})

	add("infra-orphaned-fin-wait2", "tcp_fin_timeout=1: an orphaned FIN_WAIT2 disappears after about 1 s, silently; a late FIN gets the listener's RST",
		map[string]string{"net/ipv4/tcp_fin_timeout": "1"},
		func(b *stepList) {
			b.passiveOpen()
			ref := refFact("orphaned FIN_WAIT2 with tcp_fin_timeout=1")
			b.add(withRef(App("close"), ref), Expect(quick, "FIN|ACK seq=k+1 ack=p+1"),
				Send("ACK seq=p+1 ack=k+2"), State("FIN_WAIT2 timer<=1s", quick),
				State("GONE", 3*time.Second), Silence(hush),
				Send("FIN|ACK seq=p+1 ack=k+2"), Expect(quick, "RST seq=k+2"), Silence(hush))
		})

	add("infra-client-time-wait-syn", "kernel client: connect, active close to TIME_WAIT; a SYN above rcv_nxt (no listener) and an old SYN both get TIME_WAIT's ACK, and TIME_WAIT stays", nil,
		func(b *stepList) {
			b.add(App("connect"), Expect(quick, "SYN seq=k"),
				Send("SYN|ACK seq=p ack=k+1 mss=1460"), Expect(quick, "ACK seq=k+1 ack=p+1"), State("ESTABLISHED", 0))
			b.activeCloseToTimeWait()
			b.add(withRef(Send("SYN seq=p+100000"), refFact("SYN with seq > rcv_nxt in TIME_WAIT, without a listener")),
				Expect(quick, "ACK seq=k+2 ack=p+2"), State("TIME_WAIT", 0),
				withRef(Send("SYN seq=p-5"), refFact("old SYN (seq < rcv_nxt) in TIME_WAIT")),
				Expect(quick, "ACK seq=k+2 ack=p+2"), State("TIME_WAIT", 0), Silence(hush))
		})

	add("infra-time-wait-expiry", "TIME_WAIT expires after 60 s (plus timer-wheel slack); a duplicate FIN then gets the listener's RST (slow: 61-64 s)", nil,
		func(b *stepList) {
			b.passiveOpen()
			fin := b.activeCloseToTimeWait()
			b.add(withRef(State("GONE", 70*time.Second), refFact("TIME_WAIT expiry")),
				Resend(fin), Expect(quick, "RST seq=k+2"), Silence(hush))
		})
	return out
}
