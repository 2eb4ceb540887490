package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/timewait/timewait/conformance"
	"github.com/timewait/timewait/variants"
)

// slowScenario separates the slow tier (the 60 s TIME_WAIT expiry) from the
// fast one, by a script's time budget.
const slowScenario = 30 * time.Second

// conformScenario is one scenario to run: a model-derived query or an
// infrastructure script.
type conformScenario struct {
	name    string
	variant string
	query   *conformance.Query
	script  conformance.Script
}

// runConform is "timewait conform": the model-derived scenarios (and, with
// --infra, the infrastructure ones) against this machine's kernel, each in
// a fresh network namespace. It needs Linux and root.
func runConform(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("conform")
	scenario := fs.String("scenario", "", "run only this scenario (see --list)")
	variant := fs.String("variant", "", "run only the scenarios derived under this variant (timewait variants lists them; \"default\" for the model's default rules)")
	infra := fs.Bool("infra", false, "also run the hand-written infrastructure scenarios")
	slow := fs.Bool("slow", false, "also run the slow tier (the scenarios that wait out the 60 s TIME_WAIT)")
	list := fs.Bool("list", false, "list the scenarios and exit")
	jsonOut := fs.Bool("json", false, "print the reports as JSON")
	parallel := fs.Int("parallel", 4, "scenarios run at once (each in its own namespace)")
	if _, help, err := parseFlags(fs, args, stdout); help || err != nil {
		return exitHolds, err
	}
	if *parallel < 1 || *parallel > 64 {
		return exitBadInput, badInput("--parallel: %d is not in 1..64", *parallel)
	}
	if *variant != "" && *variant != "default" {
		if _, err := variants.Lookup(*variant); err != nil {
			return exitBadInput, badInput("--variant: %v", err)
		}
	}
	var all []conformScenario
	for _, q := range conformance.DerivedQueries() {
		v := q.Variant
		if v == "" {
			v = "default"
		}
		all = append(all, conformScenario{name: q.Name, variant: v, query: &q})
	}
	if *infra || *scenario != "" || *list {
		for _, s := range conformance.InfrastructureScenarios() {
			all = append(all, conformScenario{name: s.Name, variant: "(infrastructure)", script: s})
		}
	}
	var chosen []conformScenario
	for _, c := range all {
		switch {
		case *scenario != "" && c.name != *scenario:
		case *variant != "" && c.variant != *variant:
		case !*slow && *scenario == "" && c.query == nil && c.script.Budget() > slowScenario:
		case !*slow && *scenario == "" && c.query != nil && c.query.Slow:
		default:
			chosen = append(chosen, c)
		}
	}
	if *scenario != "" && len(chosen) == 0 {
		var names []string
		for _, c := range all {
			names = append(names, c.name)
		}
		return exitBadInput, badInput("--scenario: unknown scenario %q (known: %s)", *scenario, strings.Join(names, ", "))
	}
	if *list {
		for _, c := range all {
			doc := c.script.Doc
			if c.query != nil {
				doc = c.query.Doc
			}
			fmt.Fprintf(stdout, "%-40s %-18s %s\n", c.name, c.variant, doc)
		}
		return exitHolds, nil
	}
	if len(chosen) == 0 {
		return exitBadInput, badInput("conform: no scenario derived under variant %q", *variant)
	}
	if err := conformance.Available(); err != nil {
		return exitBadInput, badInput("conform: %v", err)
	}
	// Compile every query first: a query that cannot be compiled is a bad
	// input, reported before anything runs.
	for i := range chosen {
		if chosen[i].query != nil {
			s, _, err := conformance.Derive(ctx, *chosen[i].query)
			if err != nil {
				return exitBadInput, err
			}
			chosen[i].script = s
		}
	}
	reports := make([]conformance.Report, len(chosen))
	errs := make([]error, len(chosen))
	sem := make(chan struct{}, *parallel)
	var wg sync.WaitGroup
	for i := range chosen {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			reports[i], errs[i] = conformance.Run(ctx, chosen[i].script)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return exitBadInput, fmt.Errorf("conform: %v", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	code := exitHolds
	for _, r := range reports {
		if r.Verdict.Outcome != conformance.Conforms {
			code = exitViolated
		}
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return code, enc.Encode(reports)
	}
	for _, r := range reports {
		if err := r.WriteText(stdout); err != nil {
			return exitBadInput, err
		}
		fmt.Fprintln(stdout)
	}
	if err := conformance.WriteTable(stdout, reports); err != nil {
		return exitBadInput, err
	}
	return code, nil
}
