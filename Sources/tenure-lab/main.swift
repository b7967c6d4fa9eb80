import TenureCommandLine
import TenurePOSIX
import TenureSimulateCommand

/// `tenure-lab`: the test and benchmark tooling that `cluster/` scripts drive. Kept out of the
/// `tenure` binary, which ships only what users run.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
usage: tenure-lab <command> [options]
  probe          poll every node's /v1/status every few ms into a JSON-lines history (--help)
  check-history  check a partition-test history for split brain and recovery (--help)
  phase          append one record to a scenario's phases file, the harness's side of check-history (--help)
  bench-probe    precise timing probe for cluster/bench (--help)
  bench-core     cost of one heartbeat round in N in-process election cores (--help)
  now-ns         print CLOCK_MONOTONIC in nanoseconds (the clock of event logs and probes)
  singleton-worker  the worker cluster/demo-singleton runs under tenure run (--help)
  check-singleton   check that workers never ran at once and tokens only grew (--help)
  app-binding    fault and timing probe for cluster/bench's application-binding section (--help)
  bench-handshake  time to authenticate a peer connection against a live node (--help)
  peer-traffic   hostile peer traffic built on the real wire codec: bad frames, floods, fuzz (--help)
  simulate       tenure simulate plus --mutation NAME, which switches a safety rule off (--help)
  cluster-version  the cluster version a /v1/status answer implies (--help)
"""

let main = Command("tenure-lab", usage: usage)
guard let command = arguments.first else { main.fail("missing command") }
let rest = Array(arguments.dropFirst())
switch command {
case "probe": ProcessEnvironment.exit(ProbeCommand.run(rest))
case "check-history": ProcessEnvironment.exit(CheckHistoryCommand.run(rest))
case "phase": ProcessEnvironment.exit(PhaseCommand.run(rest))
case "bench-probe": ProcessEnvironment.exit(BenchProbe.run(rest))
case "bench-core": ProcessEnvironment.exit(BenchCoreCommand.run(rest))
case "now-ns": ProcessEnvironment.exit(NowCommand.run(rest))
case "singleton-worker": ProcessEnvironment.exit(SingletonCommands.worker(rest))
case "check-singleton": ProcessEnvironment.exit(SingletonCommands.check(rest))
case "app-binding": ProcessEnvironment.exit(AppBindingCommand.run(rest))
case "bench-handshake": ProcessEnvironment.exit(BenchHandshakeCommand.run(rest))
case "peer-traffic": ProcessEnvironment.exit(PeerTrafficCommand.run(rest))
case "simulate": ProcessEnvironment.exit(SimulateCommand(.lab).run(rest))
case "cluster-version": ProcessEnvironment.exit(ClusterVersionCommand.run(rest))
case "-h", "--help", "help":
    print(usage)
    ProcessEnvironment.exit(0)
default: main.fail("unknown command '\(command)'")
}
