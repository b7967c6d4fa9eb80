import TenureCommandLine
import TenureNode
import TenurePOSIX
import TenureSimulateCommand
import TenureRelease
import TenureWire

/// `tenure`: one executable, one subcommand per job the user has. Test and benchmark tooling
/// lives in `tenure-lab`, so this binary ships only the product.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
usage: tenure <command> [options]
  node       run one node of a cluster (tenure node --help)
  keygen     print a new cluster key for --peer-key-file
  leader     print the current leader, asking the given API endpoints
  status     print a table of every node's view: role, term, leader, lease, last contact
  watch      follow leader and term changes as they happen
  transfer   ask the leader to hand leadership to a follower (--to n3 to choose)
  resign     ask the leader to step down and hand over to the most caught-up follower
  run        run a command only while the local node leads (tenure run --help)
  member     list, add or remove cluster members on the running cluster (tenure member --help)
  simulate   run the deterministic simulator (tenure simulate --help)
Client commands take --endpoints HOST:PORT,... (default: $TENURE_ENDPOINTS, else the cluster
started by cluster/up, recorded in /tmp/tenure-cluster/endpoints).
"""

let main = Command("tenure", usage: usage)
guard let command = arguments.first else { main.fail("missing command") }
let rest = Array(arguments.dropFirst())
switch command {
case "node": ProcessEnvironment.exit(NodeCommand.run(rest))
case "keygen": ProcessEnvironment.exit(KeygenCommand.run(rest))
case "version", "--version": print("tenure \(TenureRelease.description) peer wire version \(FrameCodec.wireVersion)"); ProcessEnvironment.exit(0)
case "leader": ProcessEnvironment.exit(ClientCommands.leader(rest))
case "status": ProcessEnvironment.exit(ClientCommands.status(rest))
case "watch": ProcessEnvironment.exit(ClientCommands.watch(rest))
case "transfer": ProcessEnvironment.exit(ClientCommands.transfer(rest, resign: false))
case "resign": ProcessEnvironment.exit(ClientCommands.transfer(rest, resign: true))
case "simulate": ProcessEnvironment.exit(SimulateCommand(.product).run(rest))
case "run": ProcessEnvironment.exit(RunCommand.run(rest))
case "member": ProcessEnvironment.exit(MemberCommand.run(rest))
case "-h", "--help", "help":
    print(usage)
    ProcessEnvironment.exit(0)
default: main.fail("unknown command '\(command)'")
}
