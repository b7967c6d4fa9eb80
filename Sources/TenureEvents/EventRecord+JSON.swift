import TenureJSON

/// Why an event-log line could not be read; names the field.
public struct EventDecodeError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension EventRecord {
    /// The line as the node writes it (without the newline). Each kind writes exactly its own
    /// keys, in a fixed order, `null` where a value is absent but the key is part of the kind.
    public var jsonLine: String {
        var object = JSONObject()
        object.add("ts", ts)
        object.add("node", node)
        object.add("boot", boot)
        object.add("ev", kind.rawValue)
        func number(_ key: String, _ value: UInt64?) { object.add(key, value) }
        func number(_ key: String, _ value: Int64?) { object.add(key, value) }
        func flag(_ key: String, _ value: Bool?) { object.add(key, value) }
        switch kind {
        case .start:
            number("loaded_term", loadedTerm); object.add("loaded_voted_for", votedFor); object.add("state", state)
        case .stop:
            number("term", term)
        case .role:
            object.add("from", roleFrom); object.add("to", roleTo); number("term", term); object.add("reason", reason)
        case .term:
            number("from", termFrom); number("to", termTo); object.add("cause", cause); object.add("peer", peer)
        case .leaderChanged:
            object.add("leader", leader); number("term", term)
        case .preCandidate, .candidate:
            number("term", term); flag("transfer", transfer)
        case .preVote, .vote:
            number("term", term); object.add("candidate", candidate); flag("granted", granted); object.add("reason", reason)
        case .lease:
            number("term", term); number("basis_round", basisRound); number("basis_ts", basisTs); number("until_ts", untilTs); flag("acquired", acquired)
        case .leaseLost:
            number("term", term); object.add("reason", reason)
        case .transfer:
            number("term", term); object.add("target", target); object.add("phase", phase)
        case .persistOK:
            number("term", term); object.add("voted_for", votedFor); number("latency_ns", latencyNanoseconds)
        case .persistFailed:
            number("term", term); object.add("voted_for", votedFor); object.add("error", error)
        case .reject:
            object.add("peer", peer); object.add("reason", reason); object.add("detail", detail)
        case .health:
            flag("healthy", healthy); object.add("reason", reason); number("term", term)
        case .membership:
            number("term", term); number("index", membershipIndex); object.add("phase", phase)
            object.add("voters", voters); object.add("non_voters", nonVoters)
        }
        return object.rendered
    }

    /// Reads one line; `ts`, `node` and a known `ev` are required, and each kind's own
    /// required fields (a lease's term and end, a vote's candidate, ...).
    public init(json: JSONValue) throws(EventDecodeError) {
        guard json.object != nil else { throw EventDecodeError("not a JSON object") }
        guard let ts = json["ts"]?.int64 else { throw EventDecodeError("missing or invalid 'ts'") }
        guard let node = json["node"]?.string else { throw EventDecodeError("missing 'node'") }
        guard let kindText = json["ev"]?.string else { throw EventDecodeError("missing 'ev'") }
        guard let kind = EventKind(rawValue: kindText) else { throw EventDecodeError("unknown kind '\(kindText)'") }
        self.init(ts: ts, node: node, boot: json["boot"]?.string ?? "?", kind: kind)
        func required<T>(_ value: T?, _ key: String) throws(EventDecodeError) -> T {
            guard let value else { throw EventDecodeError("a '\(kindText)' line needs '\(key)'") }
            return value
        }
        switch kind {
        case .start:
            loadedTerm = json["loaded_term"]?.uint64
            votedFor = json["loaded_voted_for"]?.string
            state = json["state"]?.string
        case .role:
            roleFrom = try required(json["from"]?.string, "from")
            roleTo = try required(json["to"]?.string, "to")
            term = try required(json["term"]?.uint64, "term")
        case .term:
            termFrom = try required(json["from"]?.uint64, "from")
            termTo = try required(json["to"]?.uint64, "to")
            term = termTo
        case .lease:
            term = try required(json["term"]?.uint64, "term")
            untilTs = try required(json["until_ts"]?.int64, "until_ts")
        case .preVote, .vote:
            term = try required(json["term"]?.uint64, "term")
            candidate = try required(json["candidate"]?.string, "candidate")
            granted = try required(json["granted"]?.bool, "granted")
        default:
            term = json["term"]?.uint64
        }
        if kind != .start { votedFor = json["voted_for"]?.string }
        leader = json["leader"]?.string
        cause = cause ?? json["cause"]?.string
        reason = json["reason"]?.string
        peer = json["peer"]?.string
        transfer = json["transfer"]?.bool
        basisRound = json["basis_round"]?.uint64
        basisTs = json["basis_ts"]?.int64
        untilTs = untilTs ?? json["until_ts"]?.int64
        acquired = json["acquired"]?.bool
        target = json["target"]?.string
        phase = json["phase"]?.string
        latencyNanoseconds = json["latency_ns"]?.int64
        error = json["error"]?.string
        detail = json["detail"]?.string
        healthy = json["healthy"]?.bool
        if kind == .membership {
            membershipIndex = json["index"]?.uint64
            voters = json["voters"]?.string
            nonVoters = json["non_voters"]?.string
        }
    }
}
