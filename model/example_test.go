package model_test

import (
	"fmt"

	"github.com/timewait/timewait/model"
)

// The initial state and what can happen first: A receives B's data octet (or
// the network loses or duplicates it), A closes before reading it is not
// allowed by default, and time may pass.
func ExampleModel_Successors() {
	m, _ := model.New(model.DefaultConfig())
	s := m.Init()[0]
	fmt.Println(s)
	m.Successors(s, func(l model.Label, _ model.State) { fmt.Println(" ", l) })
	// Output:
	// A[ESTABLISHED inc=1 iss=0 una=1 nxt=1 rcv=1] B[ESTABLISHED inc=1 iss=0 una=1 nxt=2 rcv=1 rtx0=2/0] net{B>A ACK seq=1 ack=1 len=1 inc=1 age=0} loss=1 dup=1
	//   deliver B>A ACK seq=1 ack=1 len=1 inc=1 age=0 → A>B ACK seq=1 ack=2 inc=1 age=0 (ESTABLISHED × data: deliver data)
	//   drop B>A ACK seq=1 ack=1 len=1 inc=1 age=0
	//   dup B>A ACK seq=1 ack=1 len=1 inc=1 age=0
	//   tick
}
