package traces

import (
	"fmt"
	"io"
	"strings"

	"github.com/timewait/timewait/model"
)

// mermaidText escapes s for the text of a Mermaid message, note or title:
// the characters Mermaid's grammar gives a meaning (";" ends a statement,
// "#" starts an entity code, "%" a comment) and HTML's angle brackets become
// entity codes, and line breaks become spaces.
func mermaidText(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '#':
			b.WriteString("#35;")
		case ';':
			b.WriteString("#59;")
		case '%':
			b.WriteString("#37;")
		case '<':
			b.WriteString("#60;")
		case '>':
			b.WriteString("#62;")
		case '&':
			b.WriteString("#38;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// mermaidLines joins already escaped lines of a note with Mermaid's line
// break.
func mermaidLines(lines []string) string {
	esc := make([]string, len(lines))
	for i, l := range lines {
		esc[i] = mermaidText(l)
	}
	return strings.Join(esc, "<br/>")
}

// mermaidID is a side's participant in the diagram.
func mermaidID(s model.Side) string { return s.String() }

// WriteMermaid writes a replayed run as a Mermaid sequence diagram with the
// participants A, Network and B: each copy is a message from its sender to
// the network when it is sent and from the network to its receiver when it
// is delivered, or a cross (-x) toward the receiver when it is lost. Notes
// say each connection state change, the timers started (TIME-WAIT (1 tick)),
// what users and timers did, duplications (⊕), deliveries out of send order
// (↯) and time passing; the step that violates the property is highlighted.
// A run whose property is known but no longer violated (or whose witness is
// no longer reached) opens with a note saying so.
// Text is escaped for Mermaid (";", "#", "%", "<", ">" and "&" become
// entity codes).
func WriteMermaid(w io.Writer, r Replayed) error {
	v := newView(r)
	var b strings.Builder
	say := func(format string, args ...any) { fmt.Fprintf(&b, "    "+format+"\n", args...) }
	b.WriteString("sequenceDiagram\n")
	say("title %s", mermaidText(v.title()))
	say("participant A as A (client)")
	say("participant N as Network")
	say("participant B as B (server)")
	if v.stale() {
		say("Note over A,B: %s", mermaidText("⚠ "+v.staleWarning()))
	}
	if v.propOK {
		say("Note over A,B: %s", mermaidLines([]string{v.prop.Title, v.faults()}))
	}
	for s := model.A; s <= model.B; s++ {
		e := r.Init.Ends[s]
		lines := []string{v.stateName(e)}
		lines = append(lines, timersRunning(e, v.grid)...)
		say("Note over %s: %s", mermaidID(s), mermaidLines(lines))
	}
	for _, k := range v.appear[0] {
		f := v.flights[k]
		say("%s->>N: %s", mermaidID(f.Seg.Src), mermaidText("0 · "+name(k)+" "+v.seg(f.Seg)))
	}
	if v.hit == 0 {
		say("Note over A,B: %s", mermaidText(v.hitNote()+" (initial state)"))
	}
	for _, g := range v.groups()[1:] {
		i := g.first
		l := r.Steps[i-1].Label
		prev, cur := r.State(i-1), r.State(i)
		if v.tick(g) {
			if v.hits(g) {
				b.WriteString("    rect rgba(220, 40, 40, 0.15)\n")
			}
			say("Note over A,B: %s", mermaidText(fmt.Sprintf("%s · time passes %s → %s", stepRange(i, g.last), clock(v.times[i-1], v.grid), clock(v.times[g.last], v.grid))))
			if v.hits(g) {
				say("Note over A,B: %s", mermaidText(v.hitNote()))
				b.WriteString("    end\n")
			}
			continue
		}
		hit := v.hit == i
		if hit {
			b.WriteString("    rect rgba(220, 40, 40, 0.15)\n")
		}
		step := fmt.Sprintf("%d · ", i)
		if k := v.ends[i]; k >= 0 {
			f := v.flights[k]
			dst := mermaidID(f.Seg.Src.Peer())
			switch f.Fate {
			case Lost:
				say("N-x%s: %s", dst, mermaidText(fmt.Sprintf("%s%s %s %s lost", step, glyphLost, name(k), v.seg(f.Seg))))
			default:
				text := step + name(k) + " " + v.seg(f.Seg)
				if age := f.EndAt - f.SentAt; age > 0 {
					text += " (after " + duration(age, v.grid) + ")"
				}
				say("N->>%s: %s", dst, mermaidText(text))
				if f.Reordered {
					say("Note over N: %s", mermaidText(fmt.Sprintf("%s %s overtook %d earlier %s", glyphOvertak, name(k), f.Overtakes, plural(f.Overtakes, "copy", "copies"))))
				}
			}
		}
		if k := v.dupOf[i]; k >= 0 {
			for _, d := range v.appear[i] {
				if v.flights[d].DupOf > 0 {
					say("Note over N: %s", mermaidText(fmt.Sprintf("%s%s %s duplicated as %s", step, glyphDup, name(k), name(d))))
				}
			}
		}
		for s := model.A; s <= model.B; s++ {
			var lines []string
			a := l.Action
			if a.Kind != model.ActDeliver && a.Kind != model.ActDrop && a.Kind != model.ActDuplicate && a.Side == s {
				what := step + a.Kind.String()
				switch a.Kind {
				case model.ActTimeout:
					what += " " + a.Timer.String()
				case model.ActConnect:
					what += fmt.Sprintf(" iss=%d", a.ISS)
				}
				if l.Note != "" && cur.Ends[s].St == prev.Ends[s].St {
					what += ": " + l.Note
				}
				lines = append(lines, what)
			} else if a.Kind == model.ActDeliver && a.Seg.Src.Peer() == s && l.Note != "" && cur.Ends[s].St == prev.Ends[s].St {
				lines = append(lines, step+l.Handler.String()+": "+l.Note)
			}
			e, p := cur.Ends[s], prev.Ends[s]
			state := ""
			if e.St != p.St || e.Inc != p.Inc {
				state = v.stateName(e)
			}
			starts := timerStarts(p, e, v.grid)
			if state != "" && len(starts) > 0 && e.TW.On && strings.HasPrefix(starts[0], timerName(model.TimerTW)) {
				state += " (" + duration(int(e.TW.Due), v.grid) + ")"
				starts = starts[1:]
			}
			if state != "" {
				if len(lines) == 0 {
					lines = append(lines, step+"→ "+state)
				} else {
					lines = append(lines, "→ "+state)
				}
			}
			lines = append(lines, starts...)
			if len(lines) > 0 {
				say("Note over %s: %s", mermaidID(s), mermaidLines(lines))
			}
		}
		for _, k := range v.appear[i] {
			f := v.flights[k]
			if f.DupOf == 0 {
				say("%s->>N: %s", mermaidID(f.Seg.Src), mermaidText(step+name(k)+" "+v.seg(f.Seg)))
			}
		}
		if cur.Err != model.NoErr {
			say("Note over A,B: %s", mermaidText("MODEL ERROR: "+cur.Err.Describe()))
		}
		if hit {
			say("Note over A,B: %s", mermaidText(v.hitNote()))
			b.WriteString("    end\n")
		}
	}
	var left []string
	for k, f := range v.flights {
		if f.Fate == InFlight {
			left = append(left, name(k))
		}
	}
	if len(left) > 0 {
		say("Note over N: %s", mermaidText("still in flight: "+strings.Join(left, ", ")))
	}
	say("Note over A,B: %s", mermaidText(v.verdict()))
	_, err := io.WriteString(w, b.String())
	return err
}

// plural picks the singular or plural noun for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
