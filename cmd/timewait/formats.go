package main

import (
	"io"

	"github.com/timewait/timewait/traces"
)

// renderers returns the formats of "timewait trace show --format", fresh
// on every call.
func renderers() map[string]renderer {
	return map[string]renderer{
		"text": {"numbered timeline with both endpoints after every step", func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteTimeline(w, r)
		}},
		"ladder": {"two-column plain-text ladder diagram (A | network | B) with timer bars", func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteLadder(w, r)
		}},
		"mermaid": {"Mermaid sequenceDiagram", func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteMermaid(w, r)
		}},
		"svg": {"standalone SVG ladder diagram", func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteSVG(w, r)
		}},
		"html": {"self-contained HTML report with a step slider", func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteHTML(w, r)
		}},
		"dot": {"Graphviz DOT of the run's path", func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteDOTPath(w, r)
		}},
		"dot-graph": {"Graphviz DOT of the whole reachable state graph (small configurations), the run highlighted", func(w io.Writer, r traces.Replayed, o renderOptions) error {
			return traces.WriteDOT(w, r, o.maxStates)
		}},
		"itf": {"Informal Trace Format (ITF JSON) for Apalache and Quint tooling", func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WriteITF(w, r)
		}},
		"pcap": {"libpcap capture, one IPv4/TCP packet per delivered copy", func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.WritePcap(w, r)
		}},
		"packetdrill": {"packetdrill script for the kernel-side endpoint (--kernel)", func(w io.Writer, r traces.Replayed, o renderOptions) error {
			return traces.WritePacketdrill(w, r, o.kernel)
		}},
		"json": {"the trace file itself", func(w io.Writer, r traces.Replayed, _ renderOptions) error {
			return traces.Encode(w, r.Trace)
		}},
	}
}
