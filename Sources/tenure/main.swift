import Foundation
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
Client commands take --endpoints HOST:PORT,... (default: $TENURE_ENDPOINTS, else the cluster
started by cluster/up, recorded in /tmp/tenure-cluster/endpoints).
"""

func fail(usage text: String, _ message: String) -> Never {
    FileHandle.standardError.write(Data("tenure: \(message)\n\(text)\n".utf8))
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
case "-h", "--help", "help":
    print(usage)
    exit(0)
default:
    fail(usage: usage, "unknown command '\(command)'")
}
