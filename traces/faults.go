package traces

import (
	"fmt"
	"sort"
	"strings"

	"github.com/timewait/timewait/model"
)

// FaultSet is what a run asks of the network: copies lost, copies
// duplicated, and deliveries out of send order, counted as inversions (for
// each delivery, the copies in flight in the same direction that were sent
// before it, in the run's send order; see [Flight.SentBefore]).
type FaultSet struct {
	Drops        int    `json:"drops"`
	Duplications int    `json:"duplications"`
	Reorderings  int    `json:"reorderings"`
	Total        int    `json:"total"`
	Summary      string `json:"summary"` // in words: "needs 1 lost ACK; no duplication; no reordering"
}

// Faults counts the faults of a replayed run and says them in words.
func Faults(r Replayed) FaultSet {
	var f FaultSet
	lost, dup, late := map[string]int{}, map[string]int{}, map[string]int{}
	for _, st := range r.Steps {
		a := st.Label.Action
		switch a.Kind {
		case model.ActDrop:
			f.Drops++
			lost[segKind(a.Seg)]++
		case model.ActDuplicate:
			f.Duplications++
			dup[segKind(a.Seg)]++
		}
	}
	for _, fl := range Flights(r) {
		if fl.Overtakes > 0 {
			f.Reorderings += fl.Overtakes
			late[segKind(fl.Seg)] += fl.Overtakes
		}
	}
	f.Total = f.Drops + f.Duplications + f.Reorderings
	f.Summary = "needs " + counted(lost, "lost", "no loss") + "; " + counted(dup, "duplicated", "no duplication") +
		"; " + counted(late, "overtaking", "no reordering")
	if f.Total == 0 {
		f.Summary = "needs no faults: no loss, no duplication, no reordering"
	}
	return f
}

// segKind names a copy by what it carries: "SYN", "SYN-ACK", "ACK", "data",
// "FIN" or "RST".
func segKind(g model.Segment) string { return model.SegmentEvent(g).String() }

// counted says "1 lost ACK, 2 lost FIN" in a fixed order, or none.
func counted(m map[string]int, verb, none string) string {
	if len(m) == 0 {
		return none
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s %s", m[k], verb, k))
	}
	return strings.Join(parts, ", ")
}
