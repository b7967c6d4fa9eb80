/// The network's mood for a while: how often it loses, delays, stretches and duplicates messages.
///
/// Per-message random delays are what reorder messages; occasional delays longer than the
/// election timeout are what make stale messages arrive after the world has moved on.
struct NetworkWeather: Hashable {
    var lossProbability: Double = 0
    /// Chance that a message gets an extra delay of up to `jitterMaximumNanoseconds`.
    var jitterProbability: Double = 0
    var jitterMaximumNanoseconds: Int64 = 0
    /// Chance that a message is delayed longer than the election timeout (up to the maximum delay).
    var longDelayProbability: Double = 0
    var duplicateProbability: Double = 0
    /// When set, each link also loses messages at its own rate, drawn from this seed, of at most
    /// `lossyLinkMaximum`.
    var lossyLinksSeed: UInt64?
    var lossyLinkMaximum: Double = 0
    /// TCP under loss, as a real peer connection suffers it: a lost message is retransmitted
    /// after the retransmission timeout (200 ms, doubling each time it is lost again) instead of
    /// vanishing, and every later message on that link waits behind it (head-of-line blocking).
    /// Beats and their answers travel as datagrams: each is lost on its own and waits for nothing.
    var streamsRetransmit = false

    /// After the faults stop: nothing lost or duplicated, only short LAN delays (which still
    /// reorder messages).
    static let calm = NetworkWeather()

    /// The background of the fault phase: rare loss, jitter, long delays and duplicates.
    static let unsettled = NetworkWeather(lossProbability: 0.005, jitterProbability: 0.05,
                                          jitterMaximumNanoseconds: 20_000_000, longDelayProbability: 0.002,
                                          duplicateProbability: 0.01)
}

/// Who can send to whom, and how messages travel.
///
/// A cut link drops messages at send time; messages already in flight still arrive, within the
/// maximum delay. That bound is what the isolated-node check waits out.
struct SimulatedNetwork {
    let count: Int
    /// Shortest and longest ordinary one-way delay (a LAN).
    static let minimumDelayNanoseconds: Int64 = 50_000
    static let ordinaryDelayMaximumNanoseconds: Int64 = 1_000_000
    /// Long delays are drawn from `[longDelayMinimum, maximumDelay]`.
    let longDelayMinimumNanoseconds: Int64
    /// No message is ever delayed longer than this.
    let maximumDelayNanoseconds: Int64

    /// `blocked[from * count + to]`: messages from `from` to `to` are dropped.
    private(set) var blocked: [Bool]
    /// `streamClearAt[from * count + to]`: when the last stream message sent on that link is
    /// delivered; with `streamsRetransmit`, no later one is delivered before it (one TCP stream).
    var streamClearAt: [Int64]
    private var linkLoss: [Double]
    private(set) var weather: NetworkWeather = .calm
    /// Since when each node has been cut off from every other node in both directions.
    private(set) var isolatedSince: [Int64?]

    init(count: Int, longDelayMinimumNanoseconds: Int64, maximumDelayNanoseconds: Int64) {
        self.count = count
        self.longDelayMinimumNanoseconds = longDelayMinimumNanoseconds
        self.maximumDelayNanoseconds = maximumDelayNanoseconds
        self.blocked = Array(repeating: false, count: count * count)
        self.streamClearAt = Array(repeating: 0, count: count * count)
        self.linkLoss = Array(repeating: 0, count: count * count)
        self.isolatedSince = Array(repeating: nil, count: count)
    }

    @inline(__always)
    func isBlocked(from: Int, to: Int) -> Bool { blocked[from * count + to] }

    @inline(__always)
    func lossProbability(from: Int, to: Int) -> Double { weather.lossProbability + linkLoss[from * count + to] }

    var isFullyConnected: Bool { !blocked.contains(true) }

    /// Replaces the set of cut links and updates who is isolated since when.
    mutating func setBlocked(_ matrix: [Bool], now: Int64) {
        precondition(matrix.count == count * count, "blocked matrix of \(matrix.count) entries for \(count) nodes")
        blocked = matrix
        for node in 0..<count {
            let isolated = (0..<count).allSatisfy { $0 == node || (isBlocked(from: node, to: $0) && isBlocked(from: $0, to: node)) }
            if !isolated {
                isolatedSince[node] = nil
            } else if isolatedSince[node] == nil {
                isolatedSince[node] = now
            }
        }
    }

    mutating func heal(now: Int64) { setBlocked(Array(repeating: false, count: count * count), now: now) }

    mutating func setWeather(_ newWeather: NetworkWeather) {
        weather = newWeather
        for link in linkLoss.indices { linkLoss[link] = 0 }
        if let seed = newWeather.lossyLinksSeed {
            var random = SeededRandomSource(seed: seed)
            for link in linkLoss.indices where random.chance(0.5) {
                linkLoss[link] = random.uniform(0, newWeather.lossyLinkMaximum)
            }
        }
    }

    /// Whether `node` can exchange messages both ways with enough peers to form a quorum.
    func reachesQuorum(_ node: Int, quorum: Int) -> Bool {
        var reachable = 1
        for peer in 0..<count where peer != node && !isBlocked(from: node, to: peer) && !isBlocked(from: peer, to: node) {
            reachable += 1
        }
        return reachable >= quorum
    }

    /// The first retransmission timeout of a lost stream message (Linux's minimum RTO).
    static let retransmissionTimeoutNanoseconds: Int64 = 200_000_000
    /// A stream message lost this many times in a row is given up (the connection resets).
    static let maximumRetransmissions = 6

    /// When a stream message sent `now` on `from -> to` arrives under `streamsRetransmit`, or nil
    /// when it is lost for good (retransmitted too often, or later than `maximumDelayNanoseconds`).
    /// Advances the link's stream so no later message overtakes it.
    mutating func streamArrival(from: Int, to: Int, now: Int64, using random: inout SeededRandomSource) -> Int64? {
        let loss = lossProbability(from: from, to: to)
        var delay = drawDelay(using: &random)
        var timeout = Self.retransmissionTimeoutNanoseconds
        var attempts = 0
        while loss > 0 && random.chance(loss) {
            attempts += 1
            guard attempts <= Self.maximumRetransmissions else { return nil }
            delay += timeout
            timeout *= 2
        }
        let link = from * count + to
        let arrival = max(now + delay, streamClearAt[link])
        guard arrival - now <= maximumDelayNanoseconds else { return nil }
        streamClearAt[link] = arrival
        return arrival
    }

    /// A one-way delay for one message under the current weather.
    @inline(__always)
    func drawDelay(using random: inout SeededRandomSource) -> Int64 {
        if weather.longDelayProbability > 0 && random.chance(weather.longDelayProbability) {
            return random.integer(longDelayMinimumNanoseconds, maximumDelayNanoseconds)
        }
        var delay = random.integer(Self.minimumDelayNanoseconds, Self.ordinaryDelayMaximumNanoseconds)
        if weather.jitterProbability > 0 && random.chance(weather.jitterProbability) {
            delay += random.integer(0, weather.jitterMaximumNanoseconds)
        }
        return min(delay, maximumDelayNanoseconds)
    }
}
