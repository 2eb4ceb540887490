package traces

import (
	"fmt"
	"io"
	"strings"

	"github.com/timewait/timewait/model"
)

// actor names who acts in a step: the receiving side of a delivery, the
// network for drops and duplications, the side whose user or timer acts.
func actor(l model.Label) string {
	switch l.Action.Kind {
	case model.ActDeliver:
		return l.Action.Seg.Src.Peer().String()
	case model.ActDrop, model.ActDuplicate:
		return "net"
	case model.ActTick:
		return ""
	}
	return l.Action.Side.String()
}

// clock formats model time, counted in sub-ticks, in ticks.
func clock(sub, grid int) string {
	if grid == 1 {
		return fmt.Sprintf("%d", sub)
	}
	return fmt.Sprintf("%.2f", float64(sub)/float64(grid))
}

// event is the step in words, with faults marked.
func event(l model.Label) string {
	switch l.Action.Kind {
	case model.ActDrop:
		return "✗ LOST " + l.Action.Seg.String()
	case model.ActDuplicate:
		return "DUPLICATED " + l.Action.Seg.String()
	}
	return l.String()
}

// WriteTimeline writes a replayed run as a numbered timeline: model time,
// actor, event, then both endpoints and the copies in flight after the step.
// Runs of ticks are folded into one "time passes" line.
func WriteTimeline(w io.Writer, r Replayed) error {
	var b strings.Builder
	g := r.Config.Grid
	fmt.Fprintf(&b, "  %4s  %6s  %-5s %s\n", "step", "time", "actor", "event (then: A | B | in flight)")
	fmt.Fprintf(&b, "  %4s  %6s  %-5s start\n", "0", clock(0, g), "")
	writeState(&b, r.Init)
	sub := 0
	for i := 0; i < len(r.Steps); i++ {
		st := r.Steps[i]
		if st.Label.Action.Kind == model.ActTick {
			j := i
			for j+1 < len(r.Steps) && r.Steps[j+1].Label.Action.Kind == model.ActTick {
				j++
			}
			from := sub
			sub += j - i + 1
			fmt.Fprintf(&b, "  %4s  %6s  %-5s time passes %s → %s\n", stepRange(i+1, j+1), clock(sub, g), "", clock(from, g), clock(sub, g))
			writeState(&b, r.Steps[j].State)
			i = j
			continue
		}
		fmt.Fprintf(&b, "  %4d  %6s  %-5s %s\n", i+1, clock(sub, g), actor(st.Label), event(st.Label))
		writeState(&b, st.State)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func stepRange(a, b int) string {
	if a == b {
		return fmt.Sprintf("%d", a)
	}
	return fmt.Sprintf("%d-%d", a, b)
}

func writeState(b *strings.Builder, s model.State) {
	fmt.Fprintf(b, "  %4s  %6s  %-5s   A: %s | B: %s | in flight: %d", "", "", "", s.Ends[model.A], s.Ends[model.B], s.Net.Len())
	if s.Net.Len() > 0 {
		var parts []string
		for _, c := range s.Net.Copies() {
			parts = append(parts, c.String())
		}
		fmt.Fprintf(b, " [%s]", strings.Join(parts, "; "))
	}
	b.WriteString("\n")
}
