package main

import (
	"fmt"
	"io"

	"github.com/timewait/timewait/verify"
)

// coverageJSON is the --coverage part of the JSON document.
type coverageJSON struct {
	Fired    int           `json:"fired"`
	Handlers []handlerJSON `json:"handlers"`
	Never    []string      `json:"never"`
}

type handlerJSON struct {
	State string `json:"state"`
	Event string `json:"event"`
	Count int    `json:"count"`
}

func coverageOut(c *verify.Coverage) *coverageJSON {
	out := &coverageJSON{Handlers: []handlerJSON{}, Never: []string{}}
	for _, hc := range c.All() {
		if hc.Count == 0 {
			out.Never = append(out.Never, hc.Handler.String())
			continue
		}
		out.Fired++
		out.Handlers = append(out.Handlers, handlerJSON{hc.Handler.State.String(), hc.Handler.Event.String(), hc.Count})
	}
	return out
}

func writeCoverageText(w io.Writer, c *coverageJSON) {
	fmt.Fprintf(w, "\ncoverage: %d state × event handlers fired (transitions decided by each):\n", c.Fired)
	for _, h := range c.Handlers {
		fmt.Fprintf(w, "  %-14s × %-12s %d\n", h.State, h.Event, h.Count)
	}
	fmt.Fprintf(w, "never fired (%d): ", len(c.Never))
	for i, n := range c.Never {
		if i > 0 {
			fmt.Fprint(w, ", ")
		}
		fmt.Fprint(w, n)
	}
	fmt.Fprintln(w)
}
