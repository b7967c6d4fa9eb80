import TenureCore

let n1 = NodeID("n1")
let n2 = NodeID("n2")
let n3 = NodeID("n3")
let t0 = Instant(nanoseconds: 10_000_000_000)

func ms(_ value: Int64) -> Instant { t0 + .milliseconds(value) }

let threeNodes = MembershipConfiguration.initial(voters: [n1, n2, n3])
