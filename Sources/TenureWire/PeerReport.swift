import TenureCore

/// What one node says about itself on heartbeats and their acknowledgements: its application's
/// health and why, and a little metadata, so that `/v1/status` on any node shows every node.
///
/// Reports are gossip for operators: the core never reads them (its own health bit on the
/// acknowledgement is what a handover decision uses). A follower reports itself to the leader;
/// the leader relays what it knows of every node, with the age of each report, to all followers.
public struct PeerReport: Hashable, Sendable {
    public static let maximumReasonBytes = 100
    public static let maximumVersionBytes = 32
    /// Reports one frame may carry: enough for every node of the largest cluster Tenure runs.
    public static let maximumPerFrame = 16

    public var node: NodeID
    public var healthy: Bool
    /// Why the node is unhealthy (empty when healthy); cut to `maximumReasonBytes` on encoding.
    public var reason: String
    /// The one-minute load average, in thousandths.
    public var loadAverageMilli: UInt32
    public var uptimeSeconds: UInt32
    /// How old the report was when it was sent: 0 for a node's own, the time since the leader
    /// heard it for a relayed one.
    public var ageMilliseconds: UInt32
    public var version: String

    public init(node: NodeID, healthy: Bool, reason: String, loadAverageMilli: UInt32, uptimeSeconds: UInt32,
                ageMilliseconds: UInt32, version: String) {
        self.node = node
        self.healthy = healthy
        self.reason = reason
        self.loadAverageMilli = loadAverageMilli
        self.uptimeSeconds = uptimeSeconds
        self.ageMilliseconds = ageMilliseconds
        self.version = version
    }

    static let unhealthyFlag: UInt8 = 1 << 0

    /// Appends the report: node id, flags, reason, load, uptime, age, version.
    func append(to frame: inout [UInt8]) {
        FrameCodec.appendNodeID(node, to: &frame)
        frame.append(healthy ? 0 : Self.unhealthyFlag)
        Self.appendText(reason, maximumBytes: Self.maximumReasonBytes, to: &frame)
        frame.appendBigEndian(loadAverageMilli)
        frame.appendBigEndian(uptimeSeconds)
        frame.appendBigEndian(ageMilliseconds)
        Self.appendText(version, maximumBytes: Self.maximumVersionBytes, to: &frame)
    }

    static func read(_ reader: inout ByteReader) throws(WireError) -> PeerReport {
        let node = try FrameCodec.readNodeID(&reader, field: "report node")
        let flags = try reader.readUInt8(field: "report flags")
        guard flags & ~unhealthyFlag == 0 else { throw .malformed("unknown report flag bits 0x\(String(flags, radix: 16))") }
        let reason = try readText(&reader, maximumBytes: maximumReasonBytes, field: "report reason")
        let load = try reader.readUInt32(field: "report load")
        let uptime = try reader.readUInt32(field: "report uptime")
        let age = try reader.readUInt32(field: "report age")
        let version = try readText(&reader, maximumBytes: maximumVersionBytes, field: "report version")
        return PeerReport(node: node, healthy: flags & unhealthyFlag == 0, reason: reason, loadAverageMilli: load,
                          uptimeSeconds: uptime, ageMilliseconds: age, version: version)
    }

    /// A length byte and UTF-8 text, cut at a character boundary to fit `maximumBytes`.
    private static func appendText(_ text: String, maximumBytes: Int, to frame: inout [UInt8]) {
        var cut = Substring(text)
        while cut.utf8.count > maximumBytes { cut = cut.dropLast() }
        frame.append(UInt8(cut.utf8.count))
        frame.append(contentsOf: cut.utf8)
    }

    private static func readText(_ reader: inout ByteReader, maximumBytes: Int, field: String) throws(WireError) -> String {
        let length = Int(try reader.readUInt8(field: "\(field) length"))
        guard length <= maximumBytes else { throw .malformed("\(field) length \(length) over \(maximumBytes)") }
        let bytes = try reader.readBytes(length, field: field)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("\(field) is not UTF-8") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .malformed("\(field) holds control characters")
        }
        return text
    }
}

/// A frame as a connection delivers it: an election message, or a handshake message.
public enum PeerFrame: Hashable, Sendable {
    case message(DecodedFrame)
    case handshake(HandshakeMessage)
}

/// One decoded frame: the envelope for the core, and the reports that rode along with it.
public struct DecodedFrame: Hashable, Sendable {
    public var envelope: Envelope
    public var reports: [PeerReport]

    public init(envelope: Envelope, reports: [PeerReport] = []) {
        self.envelope = envelope
        self.reports = reports
    }
}
