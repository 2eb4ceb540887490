package main

import (
	"io"

	"github.com/timewait/timewait/traces"
)

// renderers returns the formats of "timewait trace show --format", fresh
// on every call.
func renderers() map[string]renderer {
	return map[string]renderer{
		// numbered timeline with both endpoints after every step
		"text": func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteTimeline(w, r)
		},
		// two-column plain-text ladder diagram (A | network | B) with timer bars
		"ladder": func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteLadder(w, r)
		},
		// Mermaid sequenceDiagram
		"mermaid": func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteMermaid(w, r)
		},
		// standalone SVG ladder diagram
		"svg": func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteSVG(w, r)
		},
		// self-contained HTML report with a step slider
		"html": func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteHTML(w, r)
		},
		// Graphviz DOT of the run's path
		"dot": func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteDOTPath(w, r)
		},
		// Graphviz DOT of the whole reachable state graph (small configurations), the run highlighted
		"dot-graph": func(w io.Writer, r traces.Replayed, o renderOptions) error {
			return traces.WriteDOT(w, r, o.maxStates)
		},
		// Informal Trace Format (ITF JSON) for Apalache and Quint tooling
		"itf": func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteITF(w, r)
		},
		// libpcap capture, one IPv4/TCP packet per delivered copy
		"pcap": func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WritePcap(w, r)
		},
		// packetdrill script for the kernel-side endpoint (--kernel)
		"packetdrill": func(w io.Writer, r traces.Replayed, o renderOptions) error {
			return traces.WritePacketdrill(w, r, o.kernel)
		},
		// the trace file itself
		"json": func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.Encode(w, r.Trace)
		},
	}
}
