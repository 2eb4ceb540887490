package traces

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/timewait/timewait/model"
)

// xmlText escapes s for XML character data and attribute values.
func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s)) // writes to a buffer: cannot fail
	return b.String()
}

// SVG geometry, in pixels. Text is monospaced so widths can be computed.
const (
	svgFont     = 12
	svgCharW    = 7.3 // advance of one character at svgFont
	svgRowMin   = 36
	svgNoteLine = 15
	svgStateGap = 16 // lifeline to state text
	svgPad      = 16
)

func textW(s string) float64 { return float64(runeLen(s)) * svgCharW }

// svgWarnW is the width of the warning line, drawn bold at 13px.
func svgWarnW(s string) float64 { return textW(s) * 13 / svgFont }

// svgRow is one row of the SVG ladder: a step or a folded run of ticks.
type svgRow struct {
	g        group
	y, top   float64 // centre line and top edge
	h        float64
	st       [2]string // state shown at this row (changed), or ""
	notes    []string
	hit      bool
	after    model.State // state after the row
	time     string
	stepText string
}

// writeSVGLadder writes the ladder as an <svg> element (no XML
// declaration), for [WriteSVG] and [WriteHTML]. A standalone diagram has a
// header (title, property, faults, configuration); in a report the page
// says those.
func writeSVGLadder(b *strings.Builder, v *view, standalone bool) {
	r := v.r
	var rows []svgRow
	for _, g := range v.groups() {
		row := svgRow{g: g, after: r.State(g.last), time: clock(v.times[g.last], v.grid), stepText: stepRange(g.first, g.last), hit: v.hits(g)}
		if g.first == 0 {
			for s := model.A; s <= model.B; s++ {
				row.st[s] = v.stateName(r.Init.Ends[s])
				for _, t := range timersRunning(r.Init.Ends[s], v.grid) {
					row.notes = append(row.notes, s.String()+": "+t)
				}
			}
			row.notes = append([]string{"start"}, row.notes...)
		} else {
			prev := r.State(g.first - 1)
			if v.tick(g) {
				row.notes = append(row.notes, fmt.Sprintf("time passes %s → %s", clock(v.times[g.first-1], v.grid), row.time))
			} else {
				row.notes = append(row.notes, v.what(g.first))
			}
			for s := model.A; s <= model.B; s++ {
				if e, p := row.after.Ends[s], prev.Ends[s]; e.St != p.St || e.Inc != p.Inc {
					row.st[s] = v.stateName(e)
				}
				if g.first == g.last {
					for _, t := range timerStarts(prev.Ends[s], row.after.Ends[s], v.grid) {
						row.notes = append(row.notes, s.String()+": "+t)
					}
				}
			}
			if row.after.Err != model.NoErr {
				row.notes = append(row.notes, "MODEL ERROR: "+row.after.Err.Describe())
			}
		}
		if row.hit {
			row.notes = append(row.notes, v.hitNote())
		}
		row.h = math.Max(svgRowMin, float64(len(row.notes))*svgNoteLine+14)
		rows = append(rows, row)
	}

	// Horizontal layout.
	stateW := [2]float64{textW("A (client)"), textW("B (server)")}
	notesW, segW := textW("what happened"), 0.0
	for _, row := range rows {
		for s := range row.st {
			stateW[s] = math.Max(stateW[s], textW(row.st[s]))
		}
		for _, n := range row.notes {
			notesW = math.Max(notesW, textW(n))
		}
	}
	labels := make([]string, len(v.flights))
	for k := range v.flights {
		labels[k] = v.flightLabel(k)
		segW = math.Max(segW, textW(labels[k]))
	}
	gutter := textW("step 00-00") + svgPad
	xA := gutter + 40 + stateW[0] + svgStateGap
	xB := xA + math.Max(460, segW*1.15+80)
	xM := (xA + xB) / 2
	xNotes := xB + svgStateGap + stateW[1] + 28
	width := math.Ceil(xNotes + notesW + svgPad)

	// Vertical layout.
	var header []string
	cfg := ""
	if standalone {
		header = append(header, v.title())
		if v.propOK {
			header = append(header, "property: "+v.prop.Title)
		}
		header = append(header, "faults: "+v.faults())
		cfg = "config: " + strings.Join(configPairs(r.Config), " ")
	}
	y := 28.0
	headY := make([]float64, len(header))
	for i := range header {
		headY[i] = y
		y += 20
	}
	cfgY := y
	if standalone {
		y += 22
	}
	warn, warnY := "", 0.0
	if v.stale() {
		warn = "⚠ " + v.staleWarning()
		warnY = y + 4
		y += 30
	}
	legendY := y
	y += 30
	boxY := y
	y += 34
	for i := range rows {
		rows[i].top = y
		rows[i].y = y + rows[i].h/2
		y += rows[i].h
	}
	bottom := y + 24
	for _, f := range v.flights {
		if f.Fate == InFlight {
			bottom = y + 60 // room for the copies still in flight
		}
	}
	footY := bottom + 24
	var foot []string
	var left []string
	for k, f := range v.flights {
		if f.Fate == InFlight {
			left = append(left, name(k))
		}
	}
	if len(left) > 0 {
		foot = append(foot, "still in flight at the end: "+strings.Join(left, ", "))
	}
	foot = append(foot, v.verdict())
	height := math.Ceil(footY + float64(len(foot))*18 + svgPad)
	width = math.Max(width, textW(cfg)*0.92+2*svgPad)
	if standalone {
		width = math.Max(width, textW(header[0])*1.2+2*svgPad)
	}
	if warn != "" {
		width = math.Max(width, math.Ceil(svgWarnW(warn)+2*svgPad+12))
	}

	rowOf := make([]int, len(r.Steps)+1)
	for j, row := range rows {
		for i := row.g.first; i <= row.g.last; i++ {
			rowOf[i] = j
		}
	}
	lx := [2]float64{xA, xB}

	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" class="tw-ladder" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="%d">`+"\n",
		width, height, width, height, svgFont)
	p("<title>%s</title>\n", xmlText(v.title()))
	b.WriteString(`<style>
.tw-ladder text { fill: #1d1d1f; }
.tw-ladder .head { font-size: 15px; font-weight: bold; }
.tw-ladder .small { font-size: 11px; fill: #555; }
.tw-ladder .row { fill: transparent; }
.tw-ladder .row.odd { fill: #f6f7f9; }
.tw-ladder .row.hit { fill: #fde3e1; stroke: #d93025; stroke-width: 1.5; }
.tw-ladder .row.sel { fill: #fff3bf; stroke: #e0a800; stroke-width: 1.5; }
.tw-ladder .lifeline { stroke: #444; stroke-width: 2; fill: none; }
.tw-ladder .box { fill: #e8eefc; stroke: #3c5aa8; stroke-width: 1.2; }
.tw-ladder .state { font-weight: bold; fill: #1a3d8f; }
.tw-ladder .flight { stroke: #2557c7; stroke-width: 1.6; }
.tw-ladder .flight.reordered { stroke: #e37400; stroke-width: 2.6; }
.tw-ladder .flight.lost { stroke: #c5221f; }
.tw-ladder .flight.dup { stroke-dasharray: 7 4; }
.tw-ladder .flight.inflight { stroke: #888; stroke-dasharray: 2 4; }
.tw-ladder .seg { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
.tw-ladder .seg.reordered { fill: #b35900; font-weight: bold; }
.tw-ladder .seg.lost { fill: #c5221f; }
.tw-ladder .mark { font-size: 16px; font-weight: bold; }
.tw-ladder .mark.lost { fill: #c5221f; }
.tw-ladder .mark.dup { fill: #2557c7; }
.tw-ladder .tw { fill: #7b1fa2; }
.tw-ladder .rtx { fill: #f29900; }
.tw-ladder .hitnote { fill: #c5221f; font-weight: bold; }
.tw-ladder .timenote { fill: #666; font-style: italic; }
.tw-ladder .warnbox { fill: #fde3e1; stroke: #d93025; stroke-width: 1.5; }
.tw-ladder .warning { fill: #b3261e; font-weight: bold; font-size: 13px; }
</style>
<defs>
<marker id="tw-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="#2557c7"/></marker>
<marker id="tw-arrow-re" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="#e37400"/></marker>
<marker id="tw-arrow-grey" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="#888"/></marker>
</defs>
`)
	// Header and legend.
	for i, h := range header {
		cls := "small"
		if i == 0 {
			cls = "head"
		}
		p(`<text class="%s" x="%d" y="%.0f">%s</text>`+"\n", cls, svgPad, headY[i], xmlText(h))
	}
	if standalone {
		p(`<text class="small" x="%d" y="%.0f">%s</text>`+"\n", svgPad, cfgY, xmlText(cfg))
	}
	if warn != "" {
		p(`<rect class="warnbox" x="%d" y="%.0f" width="%.0f" height="24" rx="3"/>`+"\n", svgPad-6, warnY-17, math.Ceil(svgWarnW(warn)+12))
		p(`<text class="warning" x="%d" y="%.0f">%s</text>`+"\n", svgPad, warnY, xmlText(warn))
	}
	lg := float64(svgPad)
	legendItem := func(draw string, text string) {
		b.WriteString(draw)
		p(`<text class="small" x="%.1f" y="%.0f">%s</text>`+"\n", lg+34, legendY+4, xmlText(text))
		lg += 34 + textW(text)*0.92 + 22
	}
	legendItem(fmt.Sprintf(`<path d="M%.1f %.0f h28" stroke="#2557c7" stroke-width="1.6" marker-end="url(#tw-arrow)"/>`, lg, legendY), "copy sent → delivered")
	legendItem(fmt.Sprintf(`<path d="M%.1f %.0f h22" stroke="#c5221f" stroke-width="1.6"/><text class="mark lost" x="%.1f" y="%.0f">%s</text>`, lg, legendY, lg+22, legendY+5, glyphLost), "lost")
	legendItem(fmt.Sprintf(`<path d="M%.1f %.0f h28" stroke="#2557c7" stroke-width="1.6" stroke-dasharray="7 4"/>`, lg, legendY), glyphDup+" duplicate")
	legendItem(fmt.Sprintf(`<path d="M%.1f %.0f h28" stroke="#e37400" stroke-width="2.6"/>`, lg, legendY), glyphOvertak+" delivered out of order")
	legendItem(fmt.Sprintf(`<rect class="tw" x="%.1f" y="%.0f" width="5" height="16"/>`, lg+12, legendY-8), "TIME-WAIT timer")
	legendItem(fmt.Sprintf(`<rect class="rtx" x="%.1f" y="%.0f" width="3" height="16"/>`, lg+12, legendY-8), "retransmission timer")
	legendItem(fmt.Sprintf(`<rect x="%.1f" y="%.0f" width="26" height="14" fill="#fde3e1" stroke="#d93025"/>`, lg, legendY-7), "step that "+v.hitVerb()+" the property")

	// Rows.
	for j, row := range rows {
		cls := "row"
		if j%2 == 1 {
			cls += " odd"
		}
		if row.hit {
			cls += " hit"
		}
		p(`<rect class="%s" data-first="%d" data-last="%d" x="0" y="%.1f" width="%.0f" height="%.1f"/>`+"\n", cls, row.g.first, row.g.last, row.top, width, row.h)
	}
	p(`<text class="small" x="%d" y="%.0f">step</text><text class="small" x="%.0f" y="%.0f">time</text>`+"\n", svgPad, boxY+21, gutter, boxY+21)
	for _, row := range rows {
		mark := ""
		if row.hit {
			mark = glyphHit + " "
		}
		p(`<text x="%d" y="%.1f">%s%s</text><text x="%.0f" y="%.1f">%s</text>`+"\n", svgPad, row.y+4, mark, row.stepText, gutter, row.y+4, row.time)
	}
	// Participants and lifelines.
	for s := model.A; s <= model.B; s++ {
		label := "A (client)"
		if s == model.B {
			label = "B (server)"
		}
		w := textW(label) + 20
		p(`<rect class="box" x="%.1f" y="%.0f" width="%.1f" height="28" rx="4"/><text x="%.1f" y="%.0f" text-anchor="middle" font-weight="bold">%s</text>`+"\n",
			lx[s]-w/2, boxY, w, lx[s], boxY+19, label)
		p(`<path class="lifeline" d="M%.1f %.0f V%.1f"/>`+"\n", lx[s], boxY+28, bottom)
	}
	p(`<text class="small" x="%.1f" y="%.0f" text-anchor="middle">network</text>`+"\n", xM, boxY+19)
	p(`<text class="small" x="%.1f" y="%.0f">what happened</text>`+"\n", xNotes, boxY+21)
	// Timer bars: the state after row j holds until row j+1.
	for s := model.A; s <= model.B; s++ {
		for j := 0; j < len(rows); j++ {
			kind := timerGlyph(rows[j].after.Ends[s])
			if kind == ' ' {
				continue
			}
			k := j
			for k+1 < len(rows) && timerGlyph(rows[k+1].after.Ends[s]) == kind {
				k++
			}
			y0, y1 := rows[j].y, bottom
			if k+1 < len(rows) {
				y1 = rows[k+1].y
			}
			cls, w, off, what := "tw tw-bar", 5.0, 10.0, "TIME-WAIT timer running"
			if kind == glyphRtx {
				cls, w, off, what = "rtx rtx-bar", 3.0, 8.0, "retransmission timer running"
			}
			x := lx[s] - off
			if s == model.B {
				x = lx[s] + off - w
			}
			p(`<rect class="%s" x="%.1f" y="%.1f" width="%.0f" height="%.1f"><title>%s: %s, steps %s</title></rect>`+"\n",
				cls, x, y0, w, y1-y0, s, what, stepRange(rows[j].g.first, rows[k].g.last))
			j = k
		}
	}
	// State names where they change.
	for _, row := range rows {
		for s := model.A; s <= model.B; s++ {
			if row.st[s] == "" {
				continue
			}
			if s == model.A {
				p(`<text class="state" x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", xA-svgStateGap, row.y+4, xmlText(row.st[s]))
			} else {
				p(`<text class="state" x="%.1f" y="%.1f">%s</text>`+"\n", xB+svgStateGap, row.y+4, xmlText(row.st[s]))
			}
		}
	}
	// Notes.
	for _, row := range rows {
		y0 := row.y + 4 - float64(len(row.notes)-1)*svgNoteLine/2
		for i, n := range row.notes {
			cls := ""
			switch {
			case row.hit && i == len(row.notes)-1:
				cls = ` class="hitnote"`
			case v.tick(row.g):
				cls = ` class="timenote"`
			}
			p(`<text%s x="%.1f" y="%.1f">%s</text>`+"\n", cls, xNotes, y0+float64(i)*svgNoteLine, xmlText(n))
		}
	}
	// Flights, one <line> each; their labels after all of them, so that
	// each label's halo covers the lines it crosses.
	type seg struct{ x0, y0, x1, y1 float64 }
	segs := make([]seg, len(v.flights))
	for k, f := range v.flights {
		src, dst := f.Seg.Src, f.Seg.Src.Peer()
		x0, y0 := lx[src], rows[rowOf[f.Sent]].y
		if f.DupOf > 0 {
			x0, y0 = xM, rows[rowOf[f.DupStep]].y
		}
		x1, y1 := lx[dst], 0.0
		classes := []string{"flight"}
		marker := "tw-arrow"
		switch f.Fate {
		case Delivered:
			y1 = rows[rowOf[f.End]].y
		case Lost:
			x1, y1 = xM, rows[rowOf[f.End]].y
			classes = append(classes, "lost")
			marker = ""
		default:
			x1, y1 = x0+(lx[dst]-x0)*0.5, bottom-8
			classes = append(classes, "inflight")
			marker = "tw-arrow-grey"
		}
		if f.DupOf > 0 {
			classes = append(classes, "dup")
		}
		if f.Reordered {
			classes = append(classes, "reordered")
			marker = "tw-arrow-re"
		}
		if y1 == y0 && f.Fate != InFlight {
			y1 += 0.01 // keep the line's direction defined
		}
		segs[k] = seg{x0, y0, x1, y1}
		me := ""
		if marker != "" {
			me = fmt.Sprintf(` marker-end="url(#%s)"`, marker)
		}
		p(`<line class="%s" data-flight="%d" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"%s><title>%s</title></line>`+"\n",
			strings.Join(classes, " "), k+1, x0, y0, x1, y1, me, xmlText(v.flightTitle(k)))
		if f.DupOf > 0 {
			p(`<text class="mark dup" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x0, y0+5, glyphDup)
		}
		if f.Fate == Lost {
			p(`<text class="mark lost" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x1, y1+6, glyphLost)
		}
	}
	// Labels run along their lines, upright, above them (below if that
	// spot is taken). The shortest lines, which have the fewest spots, are
	// placed first; arrowheads are kept clear.
	var placed []quad
	for k, f := range v.flights {
		if f.Fate == Delivered {
			x, y := segs[k].x1, segs[k].y1
			placed = append(placed, quad{{x - 14, y - 7}, {x + 14, y - 7}, {x + 14, y + 7}, {x - 14, y + 7}})
		}
	}
	order := make([]int, len(v.flights))
	for k := range order {
		order[k] = k
	}
	length := func(k int) float64 { return math.Hypot(segs[k].x1-segs[k].x0, segs[k].y1-segs[k].y0) }
	sort.SliceStable(order, func(i, j int) bool { return length(order[i]) < length(order[j]) })
	labelSVG := make([]string, len(v.flights))
	for _, k := range order {
		f, sg := v.flights[k], segs[k]
		dx, dy := sg.x1-sg.x0, sg.y1-sg.y0
		ang := math.Atan2(dy, dx) * 180 / math.Pi
		if ang > 90 || ang < -90 {
			ang += 180
		}
		if ang > 180 {
			ang -= 360
		}
		// Near the sender first, so that labels of lines that cross come
		// apart.
		fracs := []float64{0.3, 0.5, 0.7, 0.2, 0.4, 0.6, 0.8}
		switch {
		case f.Fate == Lost:
			fracs = []float64{0.45, 0.3, 0.6, 0.2, 0.75}
		case f.Fate == InFlight, f.DupOf > 0:
			fracs = []float64{0.5, 0.3, 0.7}
		}
		best, bestCost := quad{}, -1
		var mx, my, base float64
	search:
		for _, below := range []bool{false, true} {
			for _, fr := range fracs {
				cx, cy := sg.x0+dx*fr, sg.y0+dy*fr
				q := labelQuad(cx, cy, ang, textW(labels[k]), below)
				cost := 0
				for _, o := range placed {
					if q.overlaps(o) {
						cost++
					}
				}
				if bestCost < 0 || cost < bestCost {
					best, bestCost, mx, my, base = q, cost, cx, cy, -5
					if below {
						base = 14
					}
				}
				if cost == 0 {
					break search
				}
			}
		}
		placed = append(placed, best)
		segCls := "seg"
		if f.Reordered {
			segCls += " reordered"
		}
		if f.Fate == Lost {
			segCls += " lost"
		}
		labelSVG[k] = fmt.Sprintf(`<text class="%s" text-anchor="middle" transform="translate(%.1f %.1f) rotate(%.2f)" y="%.0f">%s</text>`+"\n",
			segCls, mx, my, ang, base, xmlText(labels[k]))
	}
	for _, l := range labelSVG {
		b.WriteString(l)
	}
	// Footer.
	for i, f := range foot {
		cls := "small"
		if i == len(foot)-1 && (v.hit >= 0 || v.stale()) {
			cls = "hitnote"
		}
		p(`<text class="%s" x="%d" y="%.0f">%s</text>`+"\n", cls, svgPad, footY+float64(i)*18, xmlText(f))
	}
	b.WriteString("</svg>\n")
}

// flightLabel is the text drawn along a copy's line.
func (v *view) flightLabel(k int) string {
	f := v.flights[k]
	s := name(k) + " " + v.seg(f.Seg)
	if f.DupOf > 0 { // the same segment as the copy it duplicates
		s = fmt.Sprintf("%s %s of %s", name(k), glyphDup, name(f.DupOf-1))
	}
	switch f.Fate {
	case Lost:
		s += " lost"
	case InFlight:
		s += " (in flight)"
	case Delivered:
		if f.Reordered {
			s += fmt.Sprintf(" %s overtook %d", glyphOvertak, f.Overtakes)
		}
	}
	return s
}

// flightTitle is a copy's whole life in words, the tooltip of its line.
func (v *view) flightTitle(k int) string {
	f := v.flights[k]
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s>%s %s: ", name(k), f.Seg.Src, f.Seg.Src.Peer(), v.seg(f.Seg))
	if f.DupOf > 0 {
		fmt.Fprintf(&b, "duplicate of %s made at step %d", name(f.DupOf-1), f.DupStep)
	} else if f.Sent == 0 {
		b.WriteString("in flight at the start")
	} else {
		fmt.Fprintf(&b, "sent at step %d (time %s)", f.Sent, clock(f.SentAt, v.grid))
	}
	switch f.Fate {
	case Delivered:
		fmt.Fprintf(&b, ", delivered at step %d (time %s, after %s)", f.End, clock(f.EndAt, v.grid), duration(f.EndAt-f.SentAt, v.grid))
		if f.Reordered {
			fmt.Fprintf(&b, ", overtaking %d earlier %s", f.Overtakes, plural(f.Overtakes, "copy", "copies"))
		}
	case Lost:
		fmt.Fprintf(&b, ", lost at step %d (time %s)", f.End, clock(f.EndAt, v.grid))
	default:
		b.WriteString(", still in flight at the end")
	}
	return b.String()
}

// WriteSVG writes a replayed run as a standalone SVG ladder diagram: the
// lifelines of A and B with time going down (one row per step, runs of ticks
// folded), each copy drawn as a line from its sender at the step that sent
// it to its receiver at the step that delivered it (a lost copy ends midway
// at a ✗, a duplicate is dashed and starts in the network, a delivery out of
// send order is drawn thick and orange), the connection state beside each
// lifeline where it changes, TIME-WAIT and retransmission timers as thin
// bars beside the lifelines, what happened at each step, and the step that
// violates the property highlighted. When the property is known but the run
// no longer violates it (or no longer reaches the witness), a warning line
// in red says so above the legend. All text is XML-escaped.
func WriteSVG(w io.Writer, r Replayed) error {
	v := newView(r)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	writeSVGLadder(&b, v, true)
	_, err := io.WriteString(w, b.String())
	return err
}

// quad is a label's box on the page: four corners, in order.
type quad [4][2]float64

// labelQuad is the box of a label of width w centred at (cx, cy), drawn
// rotated by ang degrees, just above its line (or below).
func labelQuad(cx, cy, ang, w float64, below bool) quad {
	sin, cos := math.Sincos(ang * math.Pi / 180)
	top, bottom := -16.0, -1.0
	if below {
		top, bottom = 2, 17
	}
	var q quad
	for i, c := range [4][2]float64{{-w/2 - 2, top}, {w/2 + 2, top}, {w/2 + 2, bottom}, {-w/2 - 2, bottom}} {
		q[i] = [2]float64{cx + c[0]*cos - c[1]*sin, cy + c[0]*sin + c[1]*cos}
	}
	return q
}

// overlaps reports whether two boxes intersect (separating axis test).
func (q quad) overlaps(o quad) bool {
	for _, poly := range []quad{q, o} {
		for i := 0; i < 4; i++ {
			a, b := poly[i], poly[(i+1)%4]
			nx, ny := b[1]-a[1], a[0]-b[0]
			minQ, maxQ := project(q, nx, ny)
			minO, maxO := project(o, nx, ny)
			if maxQ < minO || maxO < minQ {
				return false
			}
		}
	}
	return true
}

func project(q quad, nx, ny float64) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range q {
		d := c[0]*nx + c[1]*ny
		lo, hi = math.Min(lo, d), math.Max(hi, d)
	}
	return lo, hi
}
