package verify

import (
	"fmt"
	"strings"

	"github.com/timewait/timewait/model"
)

// short is a copy in a few words: "B>A FIN|ACK (retransmitted)".
func short(g model.Segment) string {
	s := fmt.Sprintf("%s>%s %s", g.Src, g.Src.Peer(), g.Flags)
	if g.Len > 0 {
		s += " data"
	}
	if g.Rtx {
		s += " (retransmitted)"
	}
	if g.Orphan {
		s += " (sent with no connection)"
	}
	return fmt.Sprintf("%s of incarnation %d", s, g.Inc)
}

// Explain names, in one line, the chain of events in a counterexample: the
// faults it needs, the retransmissions, and the step that breaks the
// property. The sweep uses it to say what sets a threshold.
func Explain(p *Path) string {
	if p == nil || len(p.Steps) == 0 {
		return ""
	}
	var faults, rtx []string
	for _, st := range p.Steps {
		a := st.Label.Action
		switch {
		case a.Kind == model.ActDrop:
			faults = append(faults, "lost "+short(a.Seg))
		case a.Kind == model.ActDuplicate:
			faults = append(faults, "duplicated "+short(a.Seg))
		case a.Kind == model.ActTimeout && st.Label.NSent > 0:
			rtx = append(rtx, fmt.Sprintf("%s resent %s", a.Side, st.Label.Sent[0].Flags))
		}
	}
	var b strings.Builder
	if len(faults) == 0 {
		b.WriteString("no loss or duplication")
	} else {
		b.WriteString(strings.Join(faults, ", "))
	}
	if len(rtx) > 0 {
		b.WriteString("; " + strings.Join(rtx, ", "))
	}
	last := p.Steps[len(p.Steps)-1].Label
	if last.Action.Kind == model.ActDeliver {
		fmt.Fprintf(&b, "; then %s reached %s in %s: %s", short(last.Action.Seg), last.Action.Seg.Src.Peer(), last.Handler.State, last.Note)
		for _, g := range last.Emitted() {
			fmt.Fprintf(&b, " (sends %s %s)", g.Src, g.Flags)
		}
	} else {
		fmt.Fprintf(&b, "; then %s", last.String())
	}
	return b.String()
}
