package checker_test

import (
	"context"
	"fmt"

	"github.com/timewait/timewait/checker"
)

// counter counts from 0 to 9 in steps of one or two.
type counter struct{}

func (counter) Init() []int { return []int{0} }

func (counter) Successors(n int, emit func(string, int)) {
	if n+1 <= 9 {
		emit("+1", n+1)
	}
	if n+2 <= 9 {
		emit("+2", n+2)
	}
}

func ExampleCheck() {
	props := []checker.Property[int, string]{
		{Name: "never-7", Kind: checker.Always, State: func(n int) bool { return n != 7 }},
		{Name: "reaches-9", Kind: checker.Sometimes, State: func(n int) bool { return n == 9 }},
		{Name: "small-steps", Kind: checker.Always, Step: func(from int, _ string, to int) bool { return to-from <= 2 }},
	}
	res, err := checker.Check(context.Background(), counter{}, props, checker.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("states=%d transitions=%d depth=%d complete=%v deadlocks=%d\n",
		res.States, res.Transitions, res.Depth, res.Complete, res.Deadlocks)
	for _, p := range res.Properties {
		fmt.Printf("%s (%s): %s", p.Name, p.Kind, p.Verdict)
		if p.Path != nil {
			fmt.Printf(" in %d steps: %d", p.Path.Len(), p.Path.Init)
			for _, s := range p.Path.Steps {
				fmt.Printf(" %s→%d", s.Label, s.State)
			}
		}
		fmt.Println()
	}
	// Output:
	// states=10 transitions=17 depth=5 complete=true deadlocks=1
	// never-7 (always): violated in 4 steps: 0 +1→1 +2→3 +2→5 +2→7
	// reaches-9 (sometimes): found in 5 steps: 0 +1→1 +2→3 +2→5 +2→7 +2→9
	// small-steps (always): holds
}
