package conformance

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// A segment spec is one line of text describing a segment, used both for
// what the peer sends and for what the kernel may send:
//
//	FLAGS [seq=E] [ack=E] [win=N] [len=N|*] [sport=N] [dport=N] [mss=N] [wscale=N] [sackok] [ts=N,N]
//
// FLAGS is as [ParseFlags] reads it ("FIN|ACK", "-" for none) and E is an
// [Expr] ("k+1"). Ports default to the script's: a peer segment goes from
// the peer's port to the kernel's, a kernel segment the other way.
//
// In a send, seq is required, ack is required when the ACK bit is set (and
// 0 otherwise unless given), win defaults to 65535, len to 0 (the payload is
// len octets "abc…"), and mss, wscale, sackok and ts add those options.
//
// In an expectation every field given must match and every field left out
// is free, except len, which defaults to 0 (len=* accepts any payload). The
// control bits SYN, FIN, RST, ACK and URG must be exactly those written;
// PSH, ECE and CWR are checked only when written (Linux sets PSH on data at
// will). An unbound variable in seq or ack is bound by the first segment
// that matches. mss=N requires that MSS option; wscale, sackok and ts are
// send-only.

// segSpec is a parsed segment spec.
type segSpec struct {
	text           string
	flags          Flags
	seq, ack       Expr
	hasSeq, hasAck bool
	win            uint16
	hasWin         bool
	length         int
	anyLen         bool
	sport, dport   uint16 // 0: the script's
	opts           Options
}

// maxPayload bounds len= in a send: one segment within a 1500-octet MTU.
const maxPayload = 1460

// significantFlags are the control bits an expectation always compares.
const significantFlags = SYN | FIN | RST | ACK | URG

// parseSegSpec reads a segment spec; send says whether it describes a
// segment to send (else a kernel segment to expect).
func parseSegSpec(text string, send bool) (segSpec, error) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return segSpec{}, fmt.Errorf("empty segment spec")
	}
	flags, err := ParseFlags(fields[0])
	if err != nil {
		return segSpec{}, err
	}
	sp := segSpec{text: strings.Join(fields, " "), flags: flags}
	seen := map[string]bool{}
	for _, f := range fields[1:] {
		key, val, hasVal := strings.Cut(f, "=")
		if seen[key] {
			return segSpec{}, fmt.Errorf("%s given twice", key)
		}
		seen[key] = true
		if err := sp.setField(key, val, hasVal, send); err != nil {
			return segSpec{}, err
		}
	}
	if send {
		if !sp.hasSeq {
			return segSpec{}, fmt.Errorf("a segment to send needs seq=")
		}
		if flags&ACK != 0 && !sp.hasAck {
			return segSpec{}, fmt.Errorf("a segment to send with ACK needs ack=")
		}
	}
	return sp, nil
}

// setField sets one key=value field of a spec.
func (sp *segSpec) setField(key, val string, hasVal, send bool) error {
	needVal := key != "sackok"
	if needVal != hasVal {
		if needVal {
			return fmt.Errorf("%s needs a value (%s=...)", key, key)
		}
		return fmt.Errorf("%s takes no value", key)
	}
	sendOnly := func() error {
		if !send {
			return fmt.Errorf("%s is only for segments to send", key)
		}
		return nil
	}
	var err error
	switch key {
	case "seq":
		sp.seq, err = ParseExpr(val)
		sp.hasSeq = true
	case "ack":
		sp.ack, err = ParseExpr(val)
		sp.hasAck = true
	case "win":
		sp.win, err = parseUint16(key, val)
		sp.hasWin = true
	case "len":
		if val == "*" {
			if send {
				return fmt.Errorf("len=* is only for expectations")
			}
			sp.anyLen = true
			return nil
		}
		n, perr := strconv.Atoi(val)
		if perr != nil || n < 0 || n > maxPayload {
			if send {
				return fmt.Errorf("len=%s: want 0 to %d", val, maxPayload)
			}
			return fmt.Errorf("len=%s: want 0 to %d, or *", val, maxPayload)
		}
		sp.length = n
	case "sport":
		sp.sport, err = parsePort(key, val)
	case "dport":
		sp.dport, err = parsePort(key, val)
	case "mss":
		sp.opts.MSS, err = parseUint16(key, val)
		sp.opts.HasMSS = true
	case "wscale":
		if err = sendOnly(); err == nil {
			var n uint16
			n, err = parseUint16(key, val)
			if err == nil && n > 14 {
				err = fmt.Errorf("wscale=%d: at most 14 (RFC 7323 §2.3)", n)
			}
			sp.opts.HasWScale, sp.opts.WScale = true, uint8(n)
		}
	case "sackok":
		if err = sendOnly(); err == nil {
			sp.opts.SACKPermitted = true
		}
	case "ts":
		if err = sendOnly(); err == nil {
			v, e, ok := strings.Cut(val, ",")
			tv, err1 := strconv.ParseUint(v, 10, 32)
			te, err2 := strconv.ParseUint(e, 10, 32)
			if !ok || err1 != nil || err2 != nil {
				return fmt.Errorf("ts=%s: want ts=TSVAL,TSECR (decimals below 2^32)", val)
			}
			sp.opts.HasTimestamps, sp.opts.TSVal, sp.opts.TSEcr = true, uint32(tv), uint32(te)
		}
	default:
		return fmt.Errorf("unknown field %q (known: seq ack win len sport dport mss wscale sackok ts)", key)
	}
	return err
}

func parseUint16(key, val string) (uint16, error) {
	n, err := strconv.ParseUint(val, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("%s=%s: want a decimal from 0 to 65535", key, val)
	}
	return uint16(n), nil
}

func parsePort(key, val string) (uint16, error) {
	n, err := parseUint16(key, val)
	if err == nil && n == 0 {
		err = fmt.Errorf("%s=0: ports are 1 to 65535", key)
	}
	return n, err
}

// vars lists the variables the spec's numbers use.
func (sp segSpec) vars() []string {
	var vs []string
	if sp.hasSeq && sp.seq.Var != "" {
		vs = append(vs, sp.seq.Var)
	}
	if sp.hasAck && sp.ack.Var != "" {
		vs = append(vs, sp.ack.Var)
	}
	return vs
}

// payload is the n octets a send's len=n puts in the segment.
func payload(n int) []byte {
	if n == 0 {
		return nil
	}
	p := make([]byte, n)
	for i := range p {
		p[i] = 'a' + byte(i%26)
	}
	return p
}

// endpoints are the addresses and ports of a script's two ends.
type endpoints struct {
	kernel, peer netip.AddrPort
}

// build makes the segment a send spec describes under the bindings b.
func (sp segSpec) build(b Bindings, ep endpoints) (Segment, error) {
	seq, ok := sp.seq.Eval(b)
	if !ok {
		return Segment{}, fmt.Errorf("%q: variable %s is not bound yet", sp.text, sp.seq.Var)
	}
	var ack uint32
	if sp.hasAck {
		if ack, ok = sp.ack.Eval(b); !ok {
			return Segment{}, fmt.Errorf("%q: variable %s is not bound yet", sp.text, sp.ack.Var)
		}
	}
	src, dst := ep.peer, ep.kernel
	if sp.sport != 0 {
		src = netip.AddrPortFrom(src.Addr(), sp.sport)
	}
	if sp.dport != 0 {
		dst = netip.AddrPortFrom(dst.Addr(), sp.dport)
	}
	win := uint16(65535)
	if sp.hasWin {
		win = sp.win
	}
	return Segment{
		Src: src, Dst: dst, Seq: seq, Ack: ack, Flags: sp.flags, Window: win,
		Options: sp.opts, Payload: payload(sp.length), TTL: 64, DF: true,
	}, nil
}

// match reports whether the kernel segment s matches the expectation, and
// if so returns the bindings extended with what it bound (b is not changed).
// When it does not match, the reason says which field differed.
func (sp segSpec) match(s Segment, b Bindings, ep endpoints) (Bindings, string) {
	sport, dport := ep.kernel.Port(), ep.peer.Port()
	if sp.sport != 0 {
		sport = sp.sport
	}
	if sp.dport != 0 {
		dport = sp.dport
	}
	if s.Src.Port() != sport || s.Dst.Port() != dport {
		return nil, fmt.Sprintf("ports %d>%d, want %d>%d", s.Src.Port(), s.Dst.Port(), sport, dport)
	}
	mask := significantFlags | sp.flags
	if s.Flags&mask != sp.flags {
		return nil, fmt.Sprintf("flags %s, want %s", s.Flags, sp.flags)
	}
	nb := b.clone()
	if sp.hasSeq && !sp.seq.unify(s.Seq, nb) {
		return nil, fmt.Sprintf("seq %s, want %s", b.Describe(s.Seq), sp.seq)
	}
	if sp.hasAck && !sp.ack.unify(s.Ack, nb) {
		return nil, fmt.Sprintf("ack %s, want %s", b.Describe(s.Ack), sp.ack)
	}
	if !sp.anyLen && len(s.Payload) != sp.length {
		return nil, fmt.Sprintf("len %d, want %d", len(s.Payload), sp.length)
	}
	if sp.hasWin && s.Window != sp.win {
		return nil, fmt.Sprintf("win %d, want %d", s.Window, sp.win)
	}
	if sp.opts.HasMSS && (!s.Options.HasMSS || s.Options.MSS != sp.opts.MSS) {
		return nil, fmt.Sprintf("options %s, want mss %d", s.Options, sp.opts.MSS)
	}
	return nb, ""
}

// describe writes a segment with its numbers relative to the bindings, in
// the spec grammar, then its window and options: "FIN|ACK seq=k+1 ack=p+1
// win=502". Ports are written only when they differ from the script's for
// the segment's direction.
func describe(s Segment, b Bindings, ep endpoints) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s seq=%s", s.Flags, b.Describe(s.Seq))
	if s.Flags&ACK != 0 || s.Ack != 0 {
		fmt.Fprintf(&sb, " ack=%s", b.Describe(s.Ack))
	}
	if len(s.Payload) > 0 {
		fmt.Fprintf(&sb, " len=%d", len(s.Payload))
	}
	fromKernel := s.Src.Addr() == ep.kernel.Addr()
	wantS, wantD := ep.peer.Port(), ep.kernel.Port()
	if fromKernel {
		wantS, wantD = wantD, wantS
	}
	if s.Src.Port() != wantS {
		fmt.Fprintf(&sb, " sport=%d", s.Src.Port())
	}
	if s.Dst.Port() != wantD {
		fmt.Fprintf(&sb, " dport=%d", s.Dst.Port())
	}
	fmt.Fprintf(&sb, " win=%d", s.Window)
	if o := s.Options.String(); o != "" {
		sb.WriteString(" " + o)
	}
	return sb.String()
}

// segKey identifies a segment for retransmission folding: a retransmission
// repeats the control bits, numbers, payload length and ports (the window
// may differ).
type segKey struct {
	flags        Flags
	seq, ack     uint32
	length       int
	sport, dport uint16
}

func keyOf(s Segment) segKey {
	return segKey{s.Flags, s.Seq, s.Ack, len(s.Payload), s.Src.Port(), s.Dst.Port()}
}
