import TenureNode
import TenureJSON

/// `tenure leader`, `status`, `watch`, `transfer` and `resign`: thin HTTP clients of the API.
///
/// They ask every endpoint and say plainly which nodes are down, and they exit non-zero when no
/// leader is known, so scripts can rely on the status.
enum ClientCommands {
    struct NodeAnswer {
        var endpoint: String
        var status: Int
        var body: String
        var json: JSONValue
    }

    static func fetch(_ endpoint: String, _ path: String, timeout: Int) -> Result<NodeAnswer, HTTPClientError> {
        do {
            let response = try HTTPClient.request(endpoint: endpoint, path: path, timeoutMilliseconds: timeout)
            return .success(NodeAnswer(endpoint: endpoint, status: response.status, body: response.bodyText,
                                       json: JSONValue.parse(response.body) ?? .null))
        } catch {
            return .failure(error)
        }
    }

    static func leader(_ arguments: [String]) -> Int32 {
        let flags = ClientFlags.parse(arguments, command: "leader")
        var best: NodeAnswer?
        var highestTerm: Int64 = 0
        for endpoint in flags.endpoints {
            switch fetch(endpoint, "/v1/leader", timeout: flags.timeoutMilliseconds) {
            case .success(let answer):
                let term = answer.json["term"]?.int64 ?? 0
                highestTerm = max(highestTerm, term)
                if answer.status == 200, answer.json["leader"]?.string != nil, term >= (best?.json["term"]?.int64 ?? -1) {
                    best = answer
                }
            case .failure(let error):
                Terminal.printError("\(endpoint): down (\(error))")
            }
        }
        guard let best, let name = best.json["leader"]?.string else {
            if flags.json { print("{\"leader\":null,\"term\":\(highestTerm)}") } else { Terminal.printError("no leader known") }
            return 1
        }
        let term = best.json["term"]?.int64 ?? 0
        let api = best.json["api"]?.string ?? "?"
        if flags.json {
            var object = JSONObject()
            object.add("leader", name)
            object.add("term", term)
            object.add("api", api)
            print(object.rendered)
        } else {
            print("\(name) (term \(term), api \(api))")
        }
        return 0
    }

    static func status(_ arguments: [String]) -> Int32 {
        let flags = ClientFlags.parse(arguments, command: "status")
        var rows: [[String]] = [["NODE", "ROLE", "TERM", "LEADER", "LEASE", "LAST CONTACT", "API"]]
        var leaderKnown = false
        var jsonItems: [String] = []
        for endpoint in flags.endpoints {
            switch fetch(endpoint, "/v1/status", timeout: flags.timeoutMilliseconds) {
            case .success(let answer):
                let status = answer.json
                jsonItems.append(answer.body)
                let isLeader = status["is_leader"]?.bool ?? false
                if isLeader || status["known_leader"]?.string != nil { leaderKnown = true }
                let lease = isLeader ? "\(Int((status["lease_remaining_ms"]?.double ?? 0).rounded()))ms" : "-"
                var contacts: [String] = []
                if let peers = status["peers"]?.object {
                    for name in peers.keys.sorted() {
                        if let milliseconds = peers[name]?["last_contact_ms"]?.int64 {
                            contacts.append("\(name) \(milliseconds)ms")
                        } else {
                            contacts.append("\(name) never")
                        }
                    }
                }
                var role = status["role"]?.string ?? "?"
                if role == "leader" && !isLeader { role += " (no lease)" }
                rows.append([status["id"]?.string ?? "?", role, "\(status["term"]?.int64 ?? 0)", status["leader"]?.string ?? "-",
                             lease, contacts.joined(separator: ", "), endpoint])
            case .failure(let error):
                rows.append(["?", "down", "-", "-", "-", "\(error)", endpoint])
                var object = JSONObject()
                object.add("api", endpoint)
                object.add("down", true)
                object.add("error", "\(error)")
                jsonItems.append(object.rendered)
            }
        }
        if flags.json {
            print("[" + jsonItems.joined(separator: ",") + "]")
        } else {
            let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                print(row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : Terminal.padded(cell, to: widths[index] + 2)
                }.joined())
            }
            if !leaderKnown { Terminal.printError("no leader known") }
        }
        return leaderKnown ? 0 : 1
    }

    static func watch(_ arguments: [String]) -> Int32 {
        let flags = ClientFlags.parse(arguments, command: "watch")
        var seen = 0
        // Bounded: move to the next endpoint when one goes away, at most 100 times.
        for attempt in 0..<100 {
            let endpoint = flags.endpoints[attempt % flags.endpoints.count]
            do {
                if !flags.json { print("watching \(endpoint)") }
                try HTTPClient.streamEvents(endpoint: endpoint, path: "/v1/watch", timeoutMilliseconds: flags.timeoutMilliseconds) { _, data in
                    if flags.json {
                        print(data)
                    } else {
                        let event = JSONValue.parse(data) ?? .null
                        let leader = event["leader"]?.string ?? "none"
                        print("\(Terminal.timestamp())  seq \(event["seq"]?.int64 ?? 0)  term \(event["term"]?.int64 ?? 0)  leader \(leader)")
                    }
                    Terminal.flush()
                    seen += 1
                    return flags.count.map { seen < $0 } ?? true
                }
                if let count = flags.count, seen >= count { return 0 }
                Terminal.printError("\(endpoint): stream ended")
            } catch {
                Terminal.printError("\(endpoint): down (\(error))")
                Terminal.sleep(milliseconds: 500)
            }
        }
        return 1
    }

    static func transfer(_ arguments: [String], resign: Bool) -> Int32 {
        let command = resign ? "resign" : "transfer"
        let flags = ClientFlags.parse(arguments, command: command)
        // Find the leader's API first, so the request goes to the node that can act on it.
        var leaderAPI: String?
        for endpoint in flags.endpoints {
            if case .success(let answer) = fetch(endpoint, "/v1/leader", timeout: flags.timeoutMilliseconds), answer.status == 200 {
                leaderAPI = answer.json["api"]?.string
                break
            }
        }
        guard let leaderAPI else {
            Terminal.printError("no leader known")
            return 1
        }
        var path = resign ? "/v1/resign" : "/v1/transfer"
        if let to = flags.to, !resign { path += "?to=\(to)" }
        do {
            let response = try HTTPClient.request(method: "POST", endpoint: leaderAPI, path: path, timeoutMilliseconds: 5000)
            print(response.bodyText)
            return response.status == 200 ? 0 : 1
        } catch {
            Terminal.printError("\(leaderAPI): \(error)")
            return 1
        }
    }
}
