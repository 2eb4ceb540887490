package main

import (
	"fmt"
	"io"

	"github.com/timewait/timewait/properties"
)

type propertyJSON struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Title     string `json:"title"`
	Ref       string `json:"ref"`
	Doc       string `json:"doc"`
	Witness   string `json:"witness,omitempty"`
	Mutant    string `json:"mutant,omitempty"`
	Hops      int    `json:"hops,omitempty"`
	Threshold string `json:"threshold,omitempty"`
	// Symmetric: the property does not single out A or B, so a symmetric
	// configuration may be searched up to swapping them
	// (properties.Property.Symmetric).
	Symmetric bool `json:"symmetric"`
}

// runProperties is "timewait properties".
func runProperties(args []string, stdout io.Writer) (int, error) {
	fs := newFlagSet("properties")
	jsonOut := fs.Bool("json", false, "print JSON")
	if _, help, err := parseFlags(fs, args, stdout); help || err != nil {
		return exitHolds, err
	}
	var out []propertyJSON
	for _, p := range properties.All() {
		pj := propertyJSON{ID: p.ID, Kind: p.Kind.String(), Title: p.Title, Ref: p.Ref, Doc: p.Doc,
			Witness: p.Witness, Hops: p.Hops, Threshold: p.Threshold, Symmetric: p.Symmetric}
		if p.Kind == properties.Always {
			pj.Mutant = p.Mutant.String()
		}
		out = append(out, pj)
	}
	return exitHolds, writeResult(stdout, *jsonOut, out, func() { writePropertiesText(stdout, out) })
}

func writePropertiesText(stdout io.Writer, out []propertyJSON) {
	for _, p := range out {
		fmt.Fprintf(stdout, "%s (%s)\n  %s\n  ref: %s\n  %s\n", p.ID, p.Kind, p.Title, p.Ref, p.Doc)
		if p.Witness != "" {
			fmt.Fprintf(stdout, "  witness: %s; broken by mutant: %s; threshold set by: %s\n", p.Witness, p.Mutant, p.Threshold)
		}
		fmt.Fprintln(stdout)
	}
}
