// The README's example program: an application that acts as leader only while its node's
// lease holds. cluster/e2e-app runs it. Usage: tenure-client-example LOCAL_API [SECONDS]
import TenureClient

let local = CommandLine.arguments.dropFirst().first ?? "127.0.0.11:7200"
let seconds = Int64(CommandLine.arguments.dropFirst(2).first ?? "") ?? 3
let client = TenureClient(endpoints: [local])
var lease = LeaseGuard(safetyMargin: .milliseconds(50))
if let leader = try? client.leader() { print("leader \(leader.id) in term \(leader.term)") }

let end = LocalClock.now() + .seconds(seconds)
while LocalClock.now() < end {
    let sentAt = LocalClock.now()
    if let status = try? client.status(of: local) { lease.observe(status, sentAt: sentAt) }
    if lease.mayActAsLeader(at: LocalClock.now()), let token = lease.term {
        // Act as leader here, putting `token` on every write.
        print("working with fencing token \(token)")
    }
    LocalClock.sleep(for: .milliseconds(100))
}
