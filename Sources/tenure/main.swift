import Glibc
import TenureNode

/// `tenure`: one executable, one subcommand per job.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
usage: tenure <command> [options]
  node       run one node of a cluster (tenure node --help)
  leader     print the current leader, asking the given API endpoints
  status     print a table of every node's view: role, term, leader, lease, last contact
  watch      follow leader and term changes as they happen
  transfer   ask the leader to hand leadership to a follower (--to n3 to choose)
  resign     ask the leader to step down and hand over to the most caught-up follower
  simulate   run the deterministic simulator (tenure simulate --help)
  probe      poll every node's /v1/status every few ms into a JSON-lines history (tenure probe --help)
  check-history  check a partition-test history for split brain and recovery (tenure check-history --help)
  bench-probe  precise timing probe for cluster/bench (tenure bench-probe --help)
  bench-core   cost of one heartbeat round in N in-process election cores (tenure bench-core --help)
Client commands take --endpoints HOST:PORT,... (default: $TENURE_ENDPOINTS, else the cluster
started by cluster/up, recorded in /tmp/tenure-cluster/endpoints).
"""

func fail(usage text: String, _ message: String) -> Never {
    Terminal.printError("tenure: \(message)\n\(text)")
    exit(2)
}

guard let command = arguments.first else { fail(usage: usage, "missing command") }
let rest = Array(arguments.dropFirst())
switch command {
case "node":
    exit(NodeCommand.run(rest))
case "leader":
    exit(ClientCommands.leader(rest))
case "status":
    exit(ClientCommands.status(rest))
case "watch":
    exit(ClientCommands.watch(rest))
case "transfer":
    exit(ClientCommands.transfer(rest, resign: false))
case "resign":
    exit(ClientCommands.transfer(rest, resign: true))
case "simulate":
    exit(SimulateCommand.run(rest))
case "probe":
    exit(ProbeCommand.run(rest))
case "check-history":
    exit(CheckHistoryCommand.run(rest))
case "now-ns":
    exit(NowCommand.run(rest))
case "bench-probe":
    exit(BenchProbe.run(rest))
case "bench-core":
    exit(BenchCoreCommand.run(rest))
case "-h", "--help", "help":
    print(usage)
    exit(0)
default:
    fail(usage: usage, "unknown command '\(command)'")
}
