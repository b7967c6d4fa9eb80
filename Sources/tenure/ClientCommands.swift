import Foundation
import TenureNode

/// `tenure leader`, `status`, `watch`, `transfer` and `resign`: thin HTTP clients of the API.
///
/// They ask every endpoint and say plainly which nodes are down, and they exit non-zero when no
/// leader is known, so scripts can rely on the status.
enum ClientCommands {
    struct NodeAnswer {
        var endpoint: String
        var status: Int
        var object: [String: Any]
    }

    static func fetch(_ endpoint: String, _ path: String, timeout: Int) -> Result<NodeAnswer, Error> {
        do {
            let response = try HTTPClient.request(endpoint: endpoint, path: path, timeoutMilliseconds: timeout)
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
            return .success(NodeAnswer(endpoint: endpoint, status: response.status, object: object))
        } catch {
            return .failure(error)
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func leader(_ arguments: [String]) -> Int32 {
        let flags = ClientFlags.parse(arguments, command: "leader")
        var best: NodeAnswer?
        var highestTerm: Int64 = -1
        for endpoint in flags.endpoints {
            switch fetch(endpoint, "/v1/leader", timeout: flags.timeoutMilliseconds) {
            case .success(let answer):
                let term = (answer.object["term"] as? NSNumber)?.int64Value ?? -1
                highestTerm = max(highestTerm, term)
                if answer.status == 200, answer.object["leader"] is String, term >= ((best?.object["term"] as? NSNumber)?.int64Value ?? -1) {
                    best = answer
                }
            case .failure(let error):
                printError("\(endpoint): down (\(error))")
            }
        }
        guard let best, let name = best.object["leader"] as? String else {
            if flags.json { print("{\"leader\":null,\"term\":\(max(highestTerm, 0))}") } else { printError("no leader known") }
            return 1
        }
        let term = (best.object["term"] as? NSNumber)?.int64Value ?? 0
        let api = best.object["api"] as? String ?? "?"
        if flags.json {
            print("{\"leader\":\"\(name)\",\"term\":\(term),\"api\":\"\(api)\"}")
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
                let object = answer.object
                if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                    jsonItems.append(String(decoding: data, as: UTF8.self))
                }
                let isLeader = object["is_leader"] as? Bool ?? false
                if isLeader || object["known_leader"] is String { leaderKnown = true }
                let lease = isLeader ? String(format: "%.0fms", (object["lease_remaining_ms"] as? NSNumber)?.doubleValue ?? 0) : "-"
                var contacts: [String] = []
                if let peers = object["peers"] as? [String: Any] {
                    for name in peers.keys.sorted() {
                        let peer = peers[name] as? [String: Any] ?? [:]
                        if let milliseconds = (peer["last_contact_ms"] as? NSNumber)?.int64Value {
                            contacts.append("\(name) \(milliseconds)ms")
                        } else {
                            contacts.append("\(name) never")
                        }
                    }
                }
                let role = (object["role"] as? String ?? "?") + (object["role"] as? String == "leader" && !isLeader ? " (no lease)" : "")
                rows.append([object["id"] as? String ?? "?", role, "\((object["term"] as? NSNumber)?.int64Value ?? 0)",
                             object["leader"] as? String ?? "-", lease, contacts.joined(separator: ", "), endpoint])
            case .failure(let error):
                rows.append(["?", "down", "-", "-", "-", "\(error)", endpoint])
                jsonItems.append("{\"api\":\"\(endpoint)\",\"down\":true}")
            }
        }
        if flags.json {
            print("[" + jsonItems.joined(separator: ",") + "]")
        } else {
            let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                print(row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
                }.joined())
            }
            if !leaderKnown { printError("no leader known") }
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
                        let object = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:]
                        let leader = object["leader"] as? String ?? "none"
                        let stamp = ISO8601DateFormatter().string(from: Date())
                        print("\(stamp)  seq \((object["seq"] as? NSNumber)?.int64Value ?? 0)  term \((object["term"] as? NSNumber)?.int64Value ?? 0)  leader \(leader)")
                    }
                    fflush(nil)
                    seen += 1
                    return flags.count.map { seen < $0 } ?? true
                }
                if let count = flags.count, seen >= count { return 0 }
                printError("\(endpoint): stream ended")
            } catch {
                printError("\(endpoint): down (\(error))")
                Thread.sleep(forTimeInterval: 0.5)
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
                leaderAPI = answer.object["api"] as? String
                break
            }
        }
        guard let leaderAPI else {
            printError("no leader known")
            return 1
        }
        var path = resign ? "/v1/resign" : "/v1/transfer"
        if let to = flags.to, !resign { path += "?to=\(to)" }
        do {
            let response = try HTTPClient.request(method: "POST", endpoint: leaderAPI, path: path, timeoutMilliseconds: 5000)
            print(response.bodyText)
            return response.status == 200 ? 0 : 1
        } catch {
            printError("\(leaderAPI): \(error)")
            return 1
        }
    }
}
