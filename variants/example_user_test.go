package variants_test

import (
	"context"
	"fmt"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/variants"
	"github.com/timewait/timewait/verify"
)

// A user's variant: Linux's rule for an RST that reaches TIME-WAIT with
// net.ipv4.tcp_rfc1337=0 (net/ipv4/tcp_minisocks.c): it kills the entry only
// when its sequence number is exactly RCV.NXT, and is ignored otherwise.
// Everything else is the model's own RFC 9293 behaviour.
func ExampleCatalogue_Register() {
	exactRST := variants.Variant{
		Name:  "exact-rst-kills-time-wait",
		Title: "an RST kills TIME-WAIT only at exactly RCV.NXT (Linux, tcp_rfc1337=0)",
		Rules: &model.Rules{Segment: func(_ model.Side, e model.Endpoint, g model.Segment) (model.Reaction, bool) {
			if e.St != model.TimeWait || !g.Flags.Has(model.RST) {
				return model.Reaction{}, false // the model's own rule
			}
			if g.Seq == e.RcvNxt {
				return model.Reaction{Endpoint: e.Closed(), Note: "exact RST kills TIME-WAIT"}, true
			}
			return model.Reaction{Endpoint: e, Note: "ignore inexact RST"}, true
		}},
	}
	cat := variants.Builtin()
	if err := cat.Register(exactRST); err != nil {
		fmt.Println(err)
		return
	}

	cfg := exactRST.Apply(model.DefaultConfig()) // MSL 1, TW 2·MSL
	p, _ := properties.ByID("no-stale-segment-accepted")
	rep, err := verify.Check(context.Background(), cfg, []properties.Property{p}, verify.Options{StopEarly: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	o := rep.Outcomes[0]
	fmt.Printf("%s at TW = 2·MSL: %s", o.Property.ID, o.Verdict)
	if o.Path == nil {
		fmt.Println()
		return
	}
	fmt.Printf(", counterexample of %d steps\n", o.Path.Len())

	// The counterexample as a trace file names the variant and records the
	// digest of its rules; replay finds the variant in the catalogue.
	tr, _, _ := traces.FromPath(rep.Config, p, traces.SearchShortest, o.Path)
	_ = tr.SetVariant(exactRST)
	_, err = traces.ReplayIn(tr, cat)
	fmt.Println("replays:", err == nil)
	// Output:
	// no-stale-segment-accepted at TW = 2·MSL: violated, counterexample of 12 steps
	// replays: true
}
