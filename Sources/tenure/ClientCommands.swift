import TenureClient
import TenureCommandLine
import TenureCore
import TenureJSON

/// `tenure leader`, `status`, `watch`, `transfer` and `resign`: thin commands over TenureClient.
///
/// They ask every endpoint and say plainly which nodes are down, and they exit non-zero when no
/// leader is known, so scripts can rely on the status.
enum ClientCommands {
    static func client(_ flags: ClientFlags) -> TenureClient {
        TenureClient(endpoints: flags.endpoints, timeout: .milliseconds(Int64(flags.timeoutMilliseconds)), apiToken: Terminal.apiToken())
    }

    static func leader(_ arguments: [String]) -> Int32 {
        let flags = ClientFlags.parse(arguments, command: "leader")
        do throws(TenureClientError) {
            let leader = try client(flags).leader()
            if flags.json {
                // "?" rather than null when the answer named no API address, as this command always printed.
                print(LeaderDocument(leader: leader.id, term: leader.term, api: leader.api ?? "?").json)
            } else {
                print("\(leader.id) (term \(leader.term), api \(leader.api ?? "?"))")
            }
            return 0
        } catch {
            if case .noLeader(let term) = error, flags.json {
                print(LeaderDocument(leader: nil, term: term).json)
            } else if case .unreachable = error, flags.json {
                print(LeaderDocument(leader: nil, term: 0).json)
                Terminal.printError("\(error)")
            } else {
                Terminal.printError(error.description)
            }
            return 1
        }
    }

    /// `tenure status`, or with `--watch` the same table redrawn in place every interval (one
    /// table after another when the output is not a terminal), until `--count` tables or Ctrl-C.
    static func status(_ arguments: [String]) -> Int32 {
        let flags = ClientFlags.parse(arguments, command: "status")
        guard flags.watch else { return printStatus(flags) }
        var shown = 0
        var status: Int32 = 0
        while flags.count.map({ shown < $0 }) ?? true {
            if Terminal.isInteractive { print("\u{1B}[H\u{1B}[2J", terminator: "") } else if shown > 0 { print("") }
            if !flags.json { print("\(Terminal.timestamp())  every \(flags.intervalMilliseconds) ms (Ctrl-C to stop)") }
            status = printStatus(flags)
            Terminal.flush()
            shown += 1
            if flags.count.map({ shown >= $0 }) ?? false { break }
            Terminal.sleep(milliseconds: flags.intervalMilliseconds)
        }
        return status
    }

    static func printStatus(_ flags: ClientFlags) -> Int32 {
        let answers = client(flags).statuses()
        var rows: [[String]] = [["NODE", "ROLE", "TERM", "LEADER", "LEASE", "HEALTH", "RUNNER", "CONFIG", "LAST CONTACT", "API"]]
        var leaderKnown = false
        var jsonItems = JSONArray()
        // A down node's id is known from the others: each lists its peers with their API addresses.
        var idOfEndpoint: [String: String] = [:]
        for case (let endpoint, .success(let status)) in answers {
            idOfEndpoint[endpoint] = status.id
            for (peer, entry) in status.document.peers {
                if let api = entry.api, idOfEndpoint[api] == nil { idOfEndpoint[api] = peer }
            }
        }
        var downNotes: [String] = []
        var unhealthyNotes: [String] = []
        var workDownNotes: [String] = []
        var clusterVersions: Set<String> = []
        var releases: [String] = []
        for (endpoint, result) in answers {
            switch result {
            case .success(let status):
                let document = status.document
                jsonItems.append(document.jsonObject)
                if status.isLeader || status.knownLeader != nil { leaderKnown = true }
                if let version = status.document.clusterVersion { clusterVersions.insert(version) }
                releases.append("\(status.id) \(status.document.version)")
                let lease = status.isLeader ? "\((status.leaseRemainingNanoseconds + 500_000) / 1_000_000)ms" : "-"
                var contacts: [String] = []
                for (name, peer) in document.peers.sorted(by: { $0.key < $1.key }) {
                    if let milliseconds = peer.lastContactMilliseconds {
                        let phi = peer.phi.map { " φ\(($0 * 10).rounded() / 10)" } ?? ""
                        contacts.append("\(name) \(milliseconds)ms\(phi)")
                    } else {
                        contacts.append("\(name) never")
                    }
                }
                var role = status.role
                if role == "leader" && !status.isLeader { role += " (no lease)" }
                var health = "-"
                if let own = document.report(of: status.id) {
                    health = own.healthy ? "ok" : "unhealthy"
                    if !own.healthy { unhealthyNotes.append("\(status.id): \(own.reason ?? "no reason given")") }
                }
                var config = "\(document.configIndex)"
                if !document.configCommitted { config += "*" }
                if !document.member {
                    config += " not a member"
                } else if !document.voter {
                    config += " not yet voting"
                }
                let runner = runnerCell(document.runner)
                if document.runner.workDown {
                    workDownNotes.append("\(status.id) leads but its tenure run's command is not running (\(document.runner.reported?.lastCause ?? "not started yet"))")
                }
                rows.append([status.id, role, "\(status.term)", status.leader ?? "-", lease, health, runner, config, contacts.joined(separator: ", "), endpoint])
            case .failure(let error):
                let id = idOfEndpoint[endpoint] ?? "?"
                rows.append([id, "down", "-", "-", "-", "-", "-", "-", "-", endpoint])
                downNotes.append("\(id) (\(endpoint)): \(error)")
                jsonItems.append(DownNode(id: idOfEndpoint[endpoint], api: endpoint, error: "\(error)").jsonObject)
            }
        }
        if flags.json {
            print(jsonItems.rendered)
        } else {
            let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                print(row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : Terminal.padded(cell, to: widths[index] + 2)
                }.joined())
            }
            for note in unhealthyNotes { print("unhealthy: \(note)") }
            for note in workDownNotes { print("work down: \(note)") }
            if !releases.isEmpty {
                let cluster = clusterVersions.isEmpty ? "not reported (releases before 0.1.0)" : clusterVersions.sorted().joined(separator: ", ")
                print("cluster version: \(cluster); releases: \(releases.joined(separator: ", "))")
            }
            for note in downNotes { print("down: \(note)") }
            if !leaderKnown { Terminal.printError("no leader known") }
        }
        return leaderKnown ? 0 : 1
    }

    /// The RUNNER cell: `-` with no `tenure run` attached, else its state, its term, the cause of
    /// its last stop while it is not running, and how often it restarted.
    static func runnerCell(_ runner: RunnerDocument) -> String {
        guard runner.attached, let reported = runner.reported else { return "-" }
        var cell = reported.state
        if let token = reported.token, reported.state != "idle" { cell += " t\(token)" }
        if reported.state != "running", reported.lastChange == "stopped", let cause = reported.lastCause { cell += " (\(cause))" }
        let restarts = reported.restartCount
        if restarts > 0 { cell += ", \(restarts) restart\(restarts == 1 ? "" : "s")" }
        return cell
    }

    static func watch(_ arguments: [String]) -> Int32 {
        let flags = ClientFlags.parse(arguments, command: "watch")
        let changes = client(flags).leadershipChanges()
        let done = WatchResult()
        // The CLI is synchronous; the stream is consumed by one task and the main thread waits.
        let task = Task {
            var seen = 0
            var lastEndpoint: String?
            do {
                for try await change in changes {
                    if !flags.json, change.endpoint != lastEndpoint {
                        print("watching \(change.endpoint)")
                        lastEndpoint = change.endpoint
                    }
                    if flags.json {
                        print(WatchLine(change).jsonObject.rendered)
                    } else {
                        print("\(Terminal.timestamp())  seq \(change.sequence)  term \(change.term)  leader \(change.leader ?? "none")")
                    }
                    Terminal.flush()
                    seen += 1
                    if let count = flags.count, seen >= count { break }
                }
                done.finish(0)
            } catch {
                Terminal.printError("\(error)")
                done.finish(1)
            }
        }
        _ = task
        return done.wait()
    }

    static func transfer(_ arguments: [String], resign: Bool) -> Int32 {
        let flags = ClientFlags.parse(arguments, command: resign ? "resign" : "transfer")
        do throws(TenureClientError) {
            let answer = resign ? try client(flags).resign() : try client(flags).transfer(to: flags.to)
            print(answer.text)
            return 0
        } catch {
            if case .refused(_, _, let body) = error { print(body) }
            Terminal.printError(error.description)
            return 1
        }
    }
}
