import TenureCommandLine
import TenurePOSIX
import TenureHistory
import TenureNode
import TenureJSON

/// The live view of `tenure probe --live`: one line per node, redrawn ten times a second, and a
/// list of leadership changes with their times, so a person can watch a cut-off leader stop
/// claiming leadership before the majority elects a new one.
///
/// On a terminal the block is redrawn in place; otherwise only the changes are printed, plus a
/// one-line summary every second.
struct LiveView {
    let endpoints: [String]
    let start: Int64
    let marksFile: String?
    let isTerminal = ProcessEnvironment.standardOutputIsTerminal
    var drawnLines = 0
    var changes: [String] = []
    var marksSeen = 0
    var previous: [ProbeCommand.Latest?]
    var highestLeaderTerm: UInt64 = 0
    /// The last node that claimed leadership, and when its claim ended (its lease's end).
    var stoppedClaim: (node: String, term: UInt64, at: Int64)?
    var lastSummary: Int64 = 0

    init(endpoints: [String], start: Int64, marksFile: String?) {
        self.endpoints = endpoints
        self.start = start
        self.marksFile = marksFile
        self.previous = Array(repeating: nil, count: endpoints.count)
    }

    func clock(_ instant: Int64) -> String { HistoryFormat.offset(instant, from: start, digits: 3) }

    mutating func note(_ text: String) {
        changes.append(text)
        if !isTerminal { print(text); Terminal.flush() }
    }

    mutating func readMarks() {
        guard let marksFile, let text = Files.readText(marksFile) else { return }
        let lines = text.split(separator: "\n")
        guard lines.count > marksSeen else { return }
        for line in lines[marksSeen...] {
            guard let mark = try? PhaseRecord(parsing: line) else { continue }
            let ts = mark.ts
            switch mark.kind {
            case .faultStart:
                let isolated = mark.isolated
                note("\(clock(ts))  FAULT \(mark.fault ?? "?"): \(mark.spec ?? "")\(isolated.isEmpty ? "" : "  (cut off from any majority: \(isolated.joined(separator: " ")))")")
            case .heal: note("\(clock(ts))  HEALED: every Tenure iptables rule removed")
            case .note: note("\(clock(ts))  \(mark.text ?? "")")
            case .config, .end, .exit: break
            case .faultStop, .kill, .restart: note("\(clock(ts))  \(mark.kind.rawValue) \(mark.node ?? "")")
            }
        }
        marksSeen = lines.count
    }

    mutating func detectChanges(_ latest: [ProbeCommand.Latest]) {
        for (index, now) in latest.enumerated() where now.ok {
            let node = now.node ?? endpoints[index]
            let before = previous[index]
            if let before, before.ok, before.isLeader, !now.isLeader {
                let ended = now.claimEndedAt ?? now.now
                stoppedClaim = (node, before.term, ended)
                note("\(clock(ended))  \(node) STOPS CLAIMING leadership of term \(before.term): its lease ended, it answers is_leader=false (role \(now.role))")
            }
            if now.role == "leader", now.term > highestLeaderTerm {
                if highestLeaderTerm > 0 {
                    var line = "\(clock(now.roleSince))  \(node) ELECTED leader of term \(now.term)"
                    let others = latest.enumerated().filter { $0.offset != index && $0.element.ok && $0.element.isLeader }
                    if let other = others.first {
                        line += "  !! \(other.element.node ?? endpoints[other.offset]) still claims term \(other.element.term)"
                    } else if let stopped = stoppedClaim, stopped.node != node, stopped.term < now.term {
                        line += ", \(HistoryFormat.milliseconds(now.roleSince - stopped.at)) after \(stopped.node) stopped claiming: never two leaders at once"
                    }
                    note(line)
                }
                highestLeaderTerm = now.term
            }
            if before?.isLeader != true, now.isLeader, before != nil {
                note("\(clock(now.now))  \(node) claims leadership of term \(now.term) (lease held)")
            }
        }
        for (index, now) in latest.enumerated() where now.at != 0 { previous[index] = now }
    }

    func row(_ latest: ProbeCommand.Latest, _ endpoint: String) -> String {
        let node = Terminal.padded(latest.node ?? endpoint, to: 5)
        guard latest.at != 0 else { return "  \(node) (no answer yet)" }
        guard latest.ok else { return "  \(node) DOWN: \(latest.error ?? "?")" }
        let role = Terminal.padded(latest.role, to: 10)
        let term = Terminal.padded(String(latest.term), to: 5)
        let leader = Terminal.padded(latest.leader ?? "-", to: 7)
        var claim = latest.isLeader ? "YES, I AM LEADER" : "no"
        if latest.isLeader, let expiry = latest.leaseExpires {
            claim += "  (lease \(HistoryFormat.milliseconds(expiry - latest.now)) left)"
        }
        return "  \(node) \(role) \(term) \(leader) \(claim)"
    }

    mutating func draw(_ latest: [ProbeCommand.Latest]) {
        readMarks()
        detectChanges(latest)
        let now = MonotonicClock.now().nanoseconds
        if !isTerminal {
            if now - lastSummary >= 1_000_000_000 {
                lastSummary = now
                let parts = latest.enumerated().map { index, value -> String in
                    let node = value.node ?? endpoints[index]
                    guard value.at != 0 else { return "\(node):?" }
                    guard value.ok else { return "\(node):down" }
                    return "\(node):\(value.role)/\(value.term)\(value.isLeader ? "*" : "")"
                }
                print("\(clock(now))  " + parts.joined(separator: " ") + "   (* = answers is_leader=true)")
                Terminal.flush()
            }
            return
        }
        var lines = ["  \(clock(now))   NODE  ROLE       TERM  LEADER  CLAIMS LEADERSHIP (is_leader)"]
        for (index, value) in latest.enumerated() { lines.append(row(value, endpoints[index])) }
        lines.append("")
        lines.append("  changes:")
        lines.append(contentsOf: changes.suffix(12).map { "  " + $0 })
        var output = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        for line in lines { output += "\r\u{1B}[K" + line + "\n" }
        print(output, terminator: "")
        Terminal.flush()
        drawnLines = lines.count
    }
}
