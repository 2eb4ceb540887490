// Package conformance replays TCP close scenarios against the real Linux
// TCP stack: the kernel plays one endpoint, a scripted peer written in Go
// plays the other, and every segment the kernel emits is compared with the
// set of segments the script allows, the way packetdrill tests stacks.
// docs/conformance.md describes the runner, the script format and the
// results on the kernel of this repository's machine.
//
// It owns the kernel side of conformance:
//
//   - Packets: [Segment], [Segment.Marshal] and [Decode] encode and decode
//     IPv4+TCP datagrams (flags, numbers, window, options, payload), with
//     both checksums verified on decode.
//   - Scripts: a [Script] is plain data (and JSON): the kernel's endpoint,
//     per-scenario sysctls, and [Step]s — the peer sends a segment whose
//     numbers are symbolic ([Expr]: k+1, p+2, bound from the kernel's first
//     segment), resends an earlier one byte for byte, expects one of a set
//     of allowed kernel replies within a window, expects silence, runs an
//     application action (listen, connect, accept, close, abort, ...),
//     expects a socket state from /proc/self/net/tcp, or sleeps. It is the
//     target of the compiler from the model's witnesses; [Script.Validate]
//     checks one.
//   - Running: [Run] executes a script in a fresh network namespace by
//     re-executing the current binary with CLONE_NEWNET; the child, entered
//     through [Main] from TestMain, pins sysctls, creates a TUN device and
//     the kernel's socket, runs the steps and returns a [Report]: every
//     step with the segments sent and read, their times, and a [Verdict]
//     (conforms, or diverges at step N: expected …, got …).
//     [Report.WriteText] and [WriteTable] render reports.
//   - [InfrastructureScenarios]: hand-written scripts that validate all of
//     the above against the Linux behaviour recorded in the shared
//     reference notes (linux-kernel.md). They are not the model-derived
//     scenarios.
//
// Running needs Linux and root (network namespaces, /dev/net/tun,
// namespaced sysctls): files that touch the kernel carry a linux build tag,
// and elsewhere [Available] and [Run] return an *[UnavailableError]; the
// data types build everywhere. Every change a scenario makes — sysctls,
// interfaces, addresses, sockets, packets — stays inside the namespace its
// child created, which the kernel deletes when the child exits; the child
// refuses to run in its parent's namespace.
//
//   - Model-derived scenarios: a [Query] (configuration, variant, target
//     situation) is answered by the explorer's shortest witness, which
//     [Derive] compiles into a script in which the kernel plays the model's
//     endpoint A or B; [DerivedQueries] are the committed ones. The
//     compiler maps each incarnation's numbers onto the kernel's and the
//     peer's (Linux's tw_snd_nxt + 65537 for a reopened TIME-WAIT), and
//     gives the peer's segments TSvals in the model's timestamp order (see
//     [Query]).
//
// Import rule: the standard library, golang.org/x/sys/unix, and for the
// derived scenarios model, checker, properties and variants; conformance
// never imports verify, traces, twtest or the CLI.
package conformance
