package verify

import (
	"sort"
	"sync"

	"github.com/timewait/timewait/model"
)

// Coverage counts, for each handler (connection state × event), how many
// explored transitions it decided. Collect it with Options.Coverage.
// It is safe for concurrent use: the explorer records from every worker.
type Coverage struct {
	mu     sync.Mutex
	counts map[model.Handler]int
}

// NewCoverage returns an empty coverage record.
func NewCoverage() *Coverage { return &Coverage{counts: map[model.Handler]int{}} }

func (c *Coverage) record(l model.Label) {
	if l.Handler.Event != model.NoEvent {
		c.mu.Lock()
		c.counts[l.Handler]++
		c.mu.Unlock()
	}
}

// HandlerCount is one handler and the transitions it decided.
type HandlerCount struct {
	Handler model.Handler
	Count   int
}

// All returns every state × event pair in enum order with its count (0 for
// handlers that never fired).
func (c *Coverage) All() []HandlerCount {
	var out []HandlerCount
	for _, st := range model.AllConnStates() {
		for _, ev := range model.AllEvents() {
			h := model.Handler{State: st, Event: ev}
			out = append(out, HandlerCount{h, c.counts[h]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Handler.State != out[j].Handler.State {
			return out[i].Handler.State < out[j].Handler.State
		}
		return out[i].Handler.Event < out[j].Handler.Event
	})
	return out
}
