package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/timewait/timewait/checker"
)

// progress reports a running search on stderr: a live line on a terminal,
// plain lines every few seconds otherwise, JSON lines with --json. The
// checker calls update about once a second, never before a second has
// passed, so short runs print nothing.
type progress struct {
	w        io.Writer
	json     bool
	terminal bool
	label    string
	last     time.Time
	live     bool
}

func newProgress(w io.Writer, jsonOut bool) *progress {
	p := &progress{w: w, json: jsonOut}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

func (p *progress) update(pr checker.Progress) {
	rate := float64(pr.States) / pr.Elapsed.Seconds()
	switch {
	case p.json:
		line, _ := json.Marshal(map[string]any{"progress": map[string]any{
			"label": p.label, "states": pr.States, "transitions": pr.Transitions, "depth": pr.Depth,
			"queue": pr.Queue, "states_per_second": int(rate), "memory_bytes": pr.Memory, "seconds": pr.Elapsed.Seconds(),
		}})
		fmt.Fprintf(p.w, "%s\n", line)
	case p.terminal:
		fmt.Fprintf(p.w, "\r\033[K%s%d states (%.0f/s), depth %d, queue %d, memory %s, %s", p.prefix(), pr.States, rate, pr.Depth, pr.Queue, humanBytes(pr.Memory), pr.Elapsed.Truncate(time.Second))
		p.live = true
	default:
		if time.Since(p.last) < 5*time.Second {
			return
		}
		p.last = time.Now()
		fmt.Fprintf(p.w, "progress: %s%d states (%.0f/s), depth %d, queue %d, memory %s, %s\n", p.prefix(), pr.States, rate, pr.Depth, pr.Queue, humanBytes(pr.Memory), pr.Elapsed.Truncate(time.Second))
	}
}

func (p *progress) prefix() string {
	if p.label == "" {
		return ""
	}
	return p.label + ": "
}

// done clears a live line.
func (p *progress) done() {
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
		p.live = false
	}
}
