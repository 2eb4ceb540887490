package traces

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// view is what every rendering draws, computed once from a replay: times,
// copies, and for each step which copy it consumed and which it made.
type view struct {
	r       Replayed
	grid    int
	times   []int    // model time at the start and after each step, sub-ticks
	flights []Flight // every copy's life
	showInc bool     // more than one incarnation appears: segments carry inc=
	prop    properties.Property
	propOK  bool
	hit     int     // step that violates the property (or reaches the witness); -1
	appear  [][]int // per step (0 = start): flights sent or made by duplication
	ends    []int   // per step: the flight delivered or dropped, -1
	dupOf   []int   // per step: the flight duplicated, -1
}

func newView(r Replayed) *view {
	v := &view{r: r, grid: r.Config.Grid, times: Times(r), flights: Flights(r), hit: -1}
	if v.grid < 1 {
		v.grid = 1
	}
	n := len(r.Steps)
	v.appear = make([][]int, n+1)
	v.ends = make([]int, n+1)
	v.dupOf = make([]int, n+1)
	for i := range v.ends {
		v.ends[i], v.dupOf[i] = -1, -1
	}
	for i, f := range v.flights {
		at := f.Sent
		if f.DupOf > 0 {
			at = f.DupStep
			v.dupOf[at] = f.DupOf - 1
		}
		v.appear[at] = append(v.appear[at], i)
		if f.End > 0 {
			v.ends[f.End] = i
		}
		if f.Seg.Inc > 1 {
			v.showInc = true
		}
	}
	for i := 0; i <= n; i++ {
		s := r.State(i)
		if s.Ends[model.A].Inc > 1 || s.Ends[model.B].Inc > 1 {
			v.showInc = true
		}
	}
	v.prop, v.propOK = properties.ByID(r.Trace.Property)
	if v.propOK {
		v.hit = Evaluate(r, v.prop)
	}
	return v
}

// group is a row of the step-by-step renderings: one step, or a run of
// ticks folded into one (first..last, 1-based; 0..0 is the start).
type group struct{ first, last int }

// groups folds the run's steps into rows: every step but a tick is its own
// row; a run of ticks is one row, cut before the step that violates.
func (v *view) groups() []group {
	out := []group{{0, 0}}
	steps := v.r.Steps
	for i := 1; i <= len(steps); i++ {
		last := i
		if steps[i-1].Label.Action.Kind == model.ActTick {
			for last < len(steps) && last+1 != v.hit && steps[last].Label.Action.Kind == model.ActTick {
				last++
			}
		}
		out = append(out, group{i, last})
		i = last
	}
	return out
}

// tick reports whether the group is a run of ticks.
func (v *view) tick(g group) bool {
	return g.first > 0 && v.r.Steps[g.first-1].Label.Action.Kind == model.ActTick
}

// hits reports whether the marked step is in g.
func (v *view) hits(g group) bool { return v.hit >= g.first && v.hit <= g.last }

// witness reports whether the run is a witness (reaches a goal) rather
// than a counterexample.
func (v *view) witness() bool {
	if v.propOK {
		return v.prop.Kind == properties.Sometimes
	}
	return v.r.Trace.Kind == KindWitness
}

// hitVerb is what happens at the marked step: "violates" or "reaches".
func (v *view) hitVerb() string {
	if v.witness() {
		return "reaches the witness"
	}
	return "violates"
}

// stale reports whether the run no longer shows what it was recorded for:
// its property is known, but the replay never violates it (or never reaches
// the witness). The model or the trace file changed since it was written.
func (v *view) stale() bool { return v.propOK && v.hit < 0 }

// staleWarning is the warning every rendering of a stale run shows:
// "this run no longer violates ID: the model or the file changed".
func (v *view) staleWarning() string {
	verb := "violates"
	if v.witness() {
		verb = "reaches"
	}
	return fmt.Sprintf("WARNING: this run no longer %s %s: the model or the file changed", verb, v.prop.ID)
}

// kindName is "counterexample", "witness" or "run".
func (v *view) kindName() string {
	switch {
	case v.r.Trace.Kind != "":
		return v.r.Trace.Kind
	case v.propOK && v.witness():
		return KindWitness
	case v.propOK:
		return KindCounterexample
	}
	return "run"
}

// title is the first line of every rendering: property, kind, search, steps.
func (v *view) title() string {
	var b strings.Builder
	if v.r.Trace.Property != "" {
		b.WriteString(v.r.Trace.Property)
		b.WriteString(" — ")
	}
	b.WriteString(v.kindName())
	if v.r.Trace.Search != "" {
		fmt.Fprintf(&b, " (%s search)", v.r.Trace.Search)
	}
	fmt.Fprintf(&b, ", %d steps", len(v.r.Steps))
	return b.String()
}

// faults is the trace's fault summary, computed if the trace has none.
func (v *view) faults() string {
	if v.r.Trace.Faults != nil {
		return v.r.Trace.Faults.Summary
	}
	return Faults(v.r).Summary
}

// name is a flight's number as the renderings show it: "#3".
func name(i int) string { return "#" + strconv.Itoa(i+1) }

// seg is a copy in short form: flags, numbers, and what matters of the ghost
// fields, e.g. "FIN|ACK seq=2 ack=2 rtx".
func (v *view) seg(g model.Segment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s seq=%d", g.Flags, g.Seq)
	if g.Flags.Has(model.ACK) {
		fmt.Fprintf(&b, " ack=%d", g.Ack)
	}
	if g.Len > 0 {
		fmt.Fprintf(&b, " len=%d", g.Len)
	}
	if v.showInc {
		fmt.Fprintf(&b, " inc=%d", g.Inc)
	}
	if g.Rtx {
		b.WriteString(" rtx")
	}
	if g.Orphan {
		b.WriteString(" orphan")
	}
	return b.String()
}

// stateName is an endpoint's connection state, with its incarnation when
// several appear.
func (v *view) stateName(e model.Endpoint) string {
	if v.showInc {
		return fmt.Sprintf("%s inc=%d", e.St, e.Inc)
	}
	return e.St.String()
}

// duration says a span of sub-ticks in ticks: "1 tick", "2 ticks", and a
// fraction with two decimals as [clock] writes times: "0.33 ticks",
// "1.67 ticks".
func duration(sub, grid int) string {
	if grid < 1 {
		grid = 1
	}
	if sub%grid == 0 {
		if sub == grid {
			return "1 tick"
		}
		return fmt.Sprintf("%d ticks", sub/grid)
	}
	return fmt.Sprintf("%.2f ticks", float64(sub)/float64(grid))
}

// timerName names a timer for people.
func timerName(t model.TimerID) string {
	switch t {
	case model.TimerTW:
		return "TIME-WAIT timer"
	case model.TimerRtx0:
		return "retransmission timer rtx0"
	}
	return "retransmission timer rtx1"
}

// twSlotName names what the TW timer slot times in e: TIME-WAIT, or, in
// FIN-WAIT-2 under --fin-timeout, the orphaned FIN-WAIT-2 timeout (the model
// uses one slot for both, as Linux does).
func twSlotName(e model.Endpoint) string {
	if e.St == model.FinWait2 {
		return "FIN-WAIT-2 timeout"
	}
	return timerName(model.TimerTW)
}

// timerStarts lists the timers of e that (re)started between prev and e, as
// "TIME-WAIT timer: 1 tick".
func timerStarts(prev, e model.Endpoint, grid int) []string {
	var out []string
	started := func(p, t model.Timer) bool { return t.On && (!p.On || t.Due > p.Due) }
	if started(prev.TW, e.TW) {
		out = append(out, fmt.Sprintf("%s: %s", twSlotName(e), duration(int(e.TW.Due), grid)))
	}
	for k := range e.Rtx {
		if started(prev.Rtx[k], e.Rtx[k]) {
			out = append(out, fmt.Sprintf("%s: %s", timerName(model.TimerID(k)), duration(int(e.Rtx[k].Due), grid)))
		}
	}
	return out
}

// timersRunning lists the timers running in e, with the time left.
func timersRunning(e model.Endpoint, grid int) []string {
	var out []string
	if e.TW.On {
		out = append(out, fmt.Sprintf("%s: %s left", twSlotName(e), duration(int(e.TW.Due), grid)))
	}
	for k, t := range e.Rtx {
		if t.On {
			out = append(out, fmt.Sprintf("%s: %s left", timerName(model.TimerID(k)), duration(int(t.Due), grid)))
		}
	}
	return out
}

// what says in words what step i (1-based) did, without the copies it
// emitted (the renderings draw those).
func (v *view) what(i int) string {
	l := v.r.Steps[i-1].Label
	a := l.Action
	var b strings.Builder
	copyName := func() string {
		if k := v.ends[i]; k >= 0 {
			return name(k)
		}
		if k := v.dupOf[i]; k >= 0 {
			return name(k)
		}
		return v.seg(a.Seg)
	}
	switch a.Kind {
	case model.ActDeliver:
		fmt.Fprintf(&b, "%s receives %s", a.Seg.Src.Peer(), copyName())
		if a.ISS != 0 || l.Handler.State == model.Listen && model.SegmentEvent(a.Seg) == model.EvSYN {
			fmt.Fprintf(&b, " (chooses iss=%d)", a.ISS)
		}
	case model.ActDrop:
		fmt.Fprintf(&b, "the network loses %s", copyName())
	case model.ActDuplicate:
		fmt.Fprintf(&b, "the network duplicates %s", copyName())
		for _, k := range v.appear[i] {
			if v.flights[k].DupOf > 0 {
				fmt.Fprintf(&b, " as %s", name(k))
			}
		}
	case model.ActTick:
		return ""
	default:
		b.WriteString(a.String())
	}
	if l.Handler.Event != model.NoEvent || l.Note != "" {
		b.WriteString(": ")
		if l.Handler.Event != model.NoEvent {
			b.WriteString(l.Handler.String())
			if l.Note != "" {
				b.WriteString(", ")
			}
		}
		b.WriteString(l.Note)
	}
	if l.Mutant {
		b.WriteString(" [mutant rule]")
	}
	return b.String()
}

// configPairs lists every configuration field as name=value, in the order
// of its JSON form (which names every field).
func configPairs(c model.Config) []string {
	data, err := json.Marshal(c)
	if err != nil {
		return []string{err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []string
	if _, err := dec.Token(); err != nil { // {
		return []string{err.Error()}
	}
	for dec.More() {
		k, err1 := dec.Token()
		val, err2 := dec.Token()
		if err1 != nil || err2 != nil {
			break
		}
		out = append(out, fmt.Sprintf("%v=%v", k, val))
	}
	return out
}

// runeLen is the width of s in a monospaced font, counting runes.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

func padRight(s string, w int) string {
	if n := runeLen(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

func padLeft(s string, w int) string {
	if n := runeLen(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

func center(s string, w int) string {
	n := runeLen(s)
	if n >= w {
		return s
	}
	left := (w - n) / 2
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", w-n-left)
}

// Ladder glyphs, shared by the text, SVG and Mermaid renderings.
const (
	glyphLost    = "✗"
	glyphDup     = "⊕"
	glyphOvertak = "↯"
	glyphTW      = '┃'
	glyphRtx     = '┆'
	glyphHit     = "▶"
)

// netItem is one entry of the ladder's network column: text and which side
// it leans to (-1 A, 0 centre, +1 B).
type netItem struct {
	text  string
	align int
}

type ladderRow struct {
	mark, step, time string
	st               [2]string
	tm               [2]rune
	net              []netItem
	notes            []string
}

// timerGlyph is the timer bar of an endpoint: TIME-WAIT, retransmission or
// none.
func timerGlyph(e model.Endpoint) rune {
	switch {
	case e.TW.On:
		return glyphTW
	case e.Rtx[0].On || e.Rtx[1].On:
		return glyphRtx
	}
	return ' '
}

// sendItem is a copy leaving its sender: "#2 ACK seq=1 ack=2 ──▶" at A's
// lifeline, "◀── #2 ..." at B's.
func (v *view) sendItem(k int) netItem {
	f := v.flights[k]
	if f.Seg.Src == model.A {
		return netItem{name(k) + " " + v.seg(f.Seg) + " ──▶", -1}
	}
	return netItem{"◀── " + name(k) + " " + v.seg(f.Seg), 1}
}

// endItem is what became of a copy at its last step: delivered at the
// receiver's lifeline ("... ──▶●"), or lost in the middle.
func (v *view) endItem(k int) netItem {
	f := v.flights[k]
	if f.Fate == Lost {
		return netItem{fmt.Sprintf("%s %s %s lost", glyphLost, name(k), v.seg(f.Seg)), 0}
	}
	var extra []string
	if age := f.EndAt - f.SentAt; age > 0 {
		extra = append(extra, "after "+duration(age, v.grid))
	}
	if f.Reordered {
		extra = append(extra, fmt.Sprintf("%s overtook %d", glyphOvertak, f.Overtakes))
	}
	x := strings.Join(extra, ", ")
	if f.Seg.Src == model.A {
		if x != "" {
			x += "  "
		}
		return netItem{x + name(k) + " " + v.seg(f.Seg) + " ──▶●", 1}
	}
	if x != "" {
		x = "  " + x
	}
	return netItem{"●◀── " + name(k) + " " + v.seg(f.Seg) + x, -1}
}

// consumed is the network-column entry for what step i did to a copy in
// flight: delivered, lost or duplicated.
func (v *view) consumed(i int) []netItem {
	var out []netItem
	if k := v.ends[i]; k >= 0 {
		out = append(out, v.endItem(k))
	}
	if k := v.dupOf[i]; k >= 0 {
		for _, d := range v.appear[i] {
			if v.flights[d].DupOf > 0 {
				out = append(out, netItem{fmt.Sprintf("%s %s duplicated as %s", glyphDup, name(k), name(d)), 0})
			}
		}
	}
	return out
}

// WriteLadder writes a replayed run as a plain-text ladder diagram: A's
// column, the network, B's column, one row per step (runs of ticks folded
// into one), with model time, each endpoint's connection state where it
// changes, copies leaving a side as arrows into the network, deliveries at
// the receiver, losses (✗), duplications (⊕), deliveries out of send order
// (↯), timer bars beside each lifeline (┃ TIME-WAIT, ┆ retransmission) and
// the step that violates the property (▶). A legend comes first. Widths are
// fixed for the whole diagram, so the columns align in a monospaced font.
// When the property is known but the run no longer violates it (or no
// longer reaches the witness), a warning line follows the title.
func WriteLadder(w io.Writer, r Replayed) error {
	v := newView(r)
	var rows []ladderRow
	initRow := ladderRow{step: "0", time: clock(0, v.grid)}
	for s := model.A; s <= model.B; s++ {
		e := r.Init.Ends[s]
		initRow.st[s] = v.stateName(e)
		initRow.tm[s] = timerGlyph(e)
	}
	initRow.notes = append(initRow.notes, "start")
	for _, k := range v.appear[0] {
		initRow.net = append(initRow.net, v.sendItem(k))
	}
	for s := model.A; s <= model.B; s++ {
		for _, t := range timersRunning(r.Init.Ends[s], v.grid) {
			initRow.notes = append(initRow.notes, s.String()+": "+t)
		}
	}
	if v.hit == 0 {
		initRow.mark = glyphHit
		initRow.notes = append(initRow.notes, v.hitNote())
	}
	rows = append(rows, initRow)
	for _, gr := range v.groups()[1:] {
		i, last := gr.first, gr.last
		row := ladderRow{step: stepRange(i, last)}
		prev := r.State(i - 1)
		if v.tick(gr) {
			row.net = append(row.net, netItem{fmt.Sprintf("┈┈ time passes %s → %s ┈┈", clock(v.times[i-1], v.grid), clock(v.times[last], v.grid)), 0})
		} else {
			row.net = v.consumed(i)
			for _, k := range v.appear[i] {
				if v.flights[k].DupOf == 0 {
					row.net = append(row.net, v.sendItem(k))
				}
			}
			row.notes = append(row.notes, v.what(i))
		}
		row.time = clock(v.times[last], v.grid)
		cur := r.State(last)
		for s := model.A; s <= model.B; s++ {
			if e, p := cur.Ends[s], prev.Ends[s]; e.St != p.St || e.Inc != p.Inc {
				row.st[s] = v.stateName(e)
			}
			row.tm[s] = timerGlyph(cur.Ends[s])
			if i == last {
				for _, t := range timerStarts(prev.Ends[s], cur.Ends[s], v.grid) {
					row.notes = append(row.notes, s.String()+": "+t)
				}
			}
		}
		if cur.Err != model.NoErr {
			row.notes = append(row.notes, "MODEL ERROR: "+cur.Err.Describe())
		}
		if v.hits(gr) {
			row.mark = glyphHit
			row.notes = append(row.notes, v.hitNote())
		}
		rows = append(rows, row)
	}

	wStep, wTime, wSt, wNet := runeLen("step"), runeLen("time"), [2]int{runeLen("A (client)"), runeLen("B (server)")}, runeLen("network")+4
	for _, row := range rows {
		wStep = max(wStep, runeLen(row.step))
		wTime = max(wTime, runeLen(row.time))
		for s := range row.st {
			wSt[s] = max(wSt[s], runeLen(row.st[s]))
		}
		for _, it := range row.net {
			wNet = max(wNet, runeLen(it.text)+2)
		}
	}
	wNet = max(wNet, 40)

	var b strings.Builder
	b.WriteString(v.title() + "\n")
	if v.stale() {
		b.WriteString("⚠ " + v.staleWarning() + "\n")
	}
	if v.propOK {
		fmt.Fprintf(&b, "property: %s\n", v.prop.Title)
	}
	fmt.Fprintf(&b, "faults:   %s\n", v.faults())
	fmt.Fprintf(&b, "config:   %s\n", strings.Join(configPairs(r.Config), " "))
	fmt.Fprintf(&b, "time:     in ticks; MSL = %s; %s\n", duration(r.Config.MSL*v.grid, v.grid), gridText(v.grid))
	b.WriteString("legend:   #n ──▶, ◀── #n  copy n sent into the network      ──▶●, ●◀──  copy delivered to its receiver\n")
	fmt.Fprintf(&b, "          %s lost   %s duplicated   %s overtook n: delivered before n earlier copies in the same direction\n", glyphLost, glyphDup, glyphOvertak)
	fmt.Fprintf(&b, "          %c TIME-WAIT timer running   %c retransmission timer running   %s the step that %s the property\n", glyphTW, glyphRtx, glyphHit, v.hitVerb())
	b.WriteString("\n")

	line := func(mark, step, time, a string, ta rune, net netItem, tb rune, bs, note string) {
		var cell string
		switch net.align {
		case -1:
			cell = " " + padRight(net.text, wNet-1)
		case 1:
			cell = padLeft(net.text, wNet-1) + " "
		default:
			cell = center(net.text, wNet)
		}
		s := fmt.Sprintf("%s %s  %s  %s %c│%s│%c %s  %s", padRight(mark, 1), padLeft(step, wStep), padLeft(time, wTime),
			padRight(a, wSt[0]), ta, cell, tb, padRight(bs, wSt[1]), note)
		b.WriteString(strings.TrimRight(s, " ") + "\n")
	}
	line("", "step", "time", "A (client)", ' ', netItem{"network", 0}, ' ', "B (server)", "what happened")
	for _, row := range rows {
		n := max(len(row.net), len(row.notes), 1)
		for j := 0; j < n; j++ {
			var it netItem
			if j < len(row.net) {
				it = row.net[j]
			}
			note := ""
			if j < len(row.notes) {
				note = row.notes[j]
			}
			if j == 0 {
				line(row.mark, row.step, row.time, row.st[0], row.tm[0], it, row.tm[1], row.st[1], note)
			} else {
				line("", "", "", "", row.tm[0], it, row.tm[1], "", note)
			}
		}
	}
	b.WriteString("\n")
	var left []string
	for k, f := range v.flights {
		if f.Fate == InFlight {
			left = append(left, name(k)+" "+f.Seg.Src.String()+">"+f.Seg.Src.Peer().String()+" "+v.seg(f.Seg))
		}
	}
	if len(left) > 0 {
		fmt.Fprintf(&b, "still in flight at the end: %s\n", strings.Join(left, "; "))
	}
	b.WriteString(v.verdict() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// hitNote is the note on the marked step.
func (v *view) hitNote() string {
	return glyphHit + " " + strings.ToUpper(v.hitVerb()[:1]) + v.hitVerb()[1:] + " " + v.prop.ID
}

// verdict is the closing sentence: where the property is violated or the
// witness reached.
func (v *view) verdict() string {
	switch {
	case !v.propOK && v.r.Trace.Property == "":
		return "no property to check"
	case !v.propOK:
		return fmt.Sprintf("unknown property %q", v.r.Trace.Property)
	case v.hit < 0 && v.witness():
		return fmt.Sprintf("this run does not reach %s", v.prop.ID)
	case v.hit < 0:
		return fmt.Sprintf("this run does not violate %s", v.prop.ID)
	case v.witness():
		return fmt.Sprintf("step %d reaches %s: %s", v.hit, v.prop.ID, v.prop.Title)
	}
	return fmt.Sprintf("step %d violates %s: %s", v.hit, v.prop.ID, v.prop.Title)
}

// gridText says how fine model time is: "1 tick = 2 sub-ticks".
func gridText(grid int) string {
	if grid == 1 {
		return "time advances in whole ticks"
	}
	return fmt.Sprintf("1 tick = %d sub-ticks", grid)
}
