import TenureCore

/// Turns envelopes into self-describing frames and back, for the peer TCP connections.
///
/// Frames are versioned (so the format can evolve), length-prefixed (so a stream can be cut into
/// messages and an oversized one refused before it is buffered), tagged with the cluster id (so a
/// misdirected node is refused), and checksummed (so damage is caught rather than acted on).
/// Decoding validates every byte and never traps: peers are not trusted.
public enum FrameCodec {
    /// The peer wire format this build speaks.
    public static let wireVersion = FrameLayout.version
    /// Bytes before the payload: magic, version, kind, cluster id, payload length.
    public static let headerBytes = FrameLayout.headerBytes
    /// Above the largest frame the format can produce (a heartbeat with the full 16 reports comes
    /// to about 3.8 KiB), yet small enough that a hostile length cannot make a node buffer much.
    public static let defaultMaximumFrameBytes = 8192

    // Payload flag bits.
    static let preVoteFlag: UInt8 = 1 << 0
    static let leadershipTransferFlag: UInt8 = 1 << 1
    /// On a vote request: the candidate campaigns early on evidence that its leader's process is gone.
    static let leaderGoneFlag: UInt8 = 1 << 2
    static let grantedFlag: UInt8 = 1 << 1
    static let acceptedFlag: UInt8 = 1 << 0
    /// On a heartbeat response: the follower's application is unhealthy (absent means healthy).
    static let unhealthyFlag: UInt8 = 1 << 1
    /// On a heartbeat: the leader's whole membership entry follows.
    static let membershipFlag: UInt8 = 1 << 0

    /// The frame for `envelope` in cluster `clusterID`. Heartbeats and their acknowledgements may
    /// carry `reports` (at most `PeerReport.maximumPerFrame`; other messages carry none).
    public static func encode(_ envelope: Envelope, clusterID: UInt64, reports: [PeerReport] = []) -> [UInt8] {
        let message = envelope.message
        precondition(!DatagramCodec.carries(message), "beats travel as datagrams (DatagramCodec), never on the peer connection")
        var frame = startFrame(kind: MessageKind(of: message), clusterID: clusterID)
        appendNodeID(envelope.from, to: &frame)
        appendNodeID(envelope.to, to: &frame)
        frame.appendBigEndian(message.term)
        switch message {
        case .requestVote(let request):
            frame.append(
                (request.preVote ? preVoteFlag : 0) | (request.leadershipTransfer ? leadershipTransferFlag : 0)
                    | (request.leaderGone ? leaderGoneFlag : 0))
            frame.appendBigEndian(request.membershipTerm)
            frame.appendBigEndian(request.membershipIndex)
        case .voteResponse(let response):
            frame.append((response.preVote ? preVoteFlag : 0) | (response.granted ? grantedFlag : 0))
        case .heartbeat(let heartbeat):
            frame.appendBigEndian(heartbeat.round)
            frame.appendBigEndian(heartbeat.membershipTerm)
            frame.appendBigEndian(heartbeat.membershipIndex)
            frame.appendBigEndian(heartbeat.committedIndex)
            if let entry = heartbeat.membership {
                frame.append(membershipFlag)
                MembershipCodec.appendMembers(entry.members, to: &frame)
            } else {
                frame.append(0)
            }
        case .heartbeatResponse(let response):
            frame.appendBigEndian(response.round)
            frame.append((response.accepted ? acceptedFlag : 0) | (response.healthy ? 0 : unhealthyFlag))
            frame.appendBigEndian(response.membershipTerm)
            frame.appendBigEndian(response.membershipIndex)
        case .timeoutNow:
            break
        }
        switch message {
        case .heartbeat, .heartbeatResponse:
            precondition(reports.count <= PeerReport.maximumPerFrame, "at most \(PeerReport.maximumPerFrame) reports per frame")
            if !reports.isEmpty {
                frame.append(UInt8(reports.count))
                for report in reports { report.append(to: &frame) }
            }
        default:
            precondition(reports.isEmpty, "only heartbeats and their acknowledgements carry reports")
        }
        return finishFrame(frame)
    }

    /// The frame for one handshake message.
    public static func encode(_ handshake: HandshakeMessage, clusterID: UInt64) -> [UInt8] {
        var frame = startFrame(kind: MessageKind(of: handshake), clusterID: clusterID)
        switch handshake {
        case .hello(let hello):
            appendNodeID(hello.from, to: &frame)
            appendNodeID(hello.to, to: &frame)
            frame.append(hello.insecure ? insecureFlag : 0)
            appendFixed(hello.keyID, count: Handshake.keyIDByteCount, to: &frame)
            appendFixed(hello.nonce, count: Handshake.nonceByteCount, to: &frame)
        case .challenge(let challenge):
            appendNodeID(challenge.from, to: &frame)
            appendNodeID(challenge.to, to: &frame)
            appendFixed(challenge.nonce, count: Handshake.nonceByteCount, to: &frame)
            appendProof(challenge.proof, to: &frame)
        case .proof(let proof):
            appendProof(proof.proof, to: &frame)
        case .refusal(let refusal):
            frame.append(refusal.reason.rawValue)
            var detail = Substring(refusal.detail)
            while detail.utf8.count > Refusal.maximumDetailBytes { detail = detail.dropLast() }
            frame.append(UInt8(detail.utf8.count))
            frame.append(contentsOf: detail.utf8)
        }
        return finishFrame(frame)
    }

    /// On a hello: the sender runs without peer authentication.
    static let insecureFlag: UInt8 = 1 << 0

    private static func startFrame(kind: MessageKind, clusterID: UInt64) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(FrameLayout.overheadBytes + FrameAuthenticator.tagByteCount + 96 + 2 * NodeID.maximumLength)
        frame.appendBigEndian(FrameLayout.magic)
        frame.append(FrameLayout.version)
        frame.append(kind.rawValue)
        frame.appendBigEndian(clusterID)
        frame.appendBigEndian(UInt32(0))  // Payload length, patched by finishFrame.
        return frame
    }

    private static func finishFrame(_ unfinished: [UInt8]) -> [UInt8] {
        var frame = unfinished
        let payloadLength = UInt32(frame.count - FrameLayout.headerBytes)
        for index in 0..<4 {
            frame[12 + index] = UInt8(truncatingIfNeeded: payloadLength >> (24 - 8 * index))
        }
        frame.appendBigEndian(CRC32C.checksum(frame))
        return frame
    }

    private static func appendFixed(_ bytes: [UInt8], count: Int, to frame: inout [UInt8]) {
        precondition(bytes.count == count, "a fixed field of \(count) bytes")
        frame += bytes
    }

    private static func appendProof(_ proof: [UInt8], to frame: inout [UInt8]) {
        precondition(proof.isEmpty || proof.count == Handshake.proofByteCount, "a proof is empty or 32 bytes")
        frame.append(UInt8(proof.count))
        frame += proof
    }

    /// Decodes exactly one whole frame.
    public static func decode(
        _ frame: [UInt8], clusterID: UInt64, maximumFrameBytes: Int = defaultMaximumFrameBytes
    ) throws(WireError) -> Envelope {
        try decodeFrame(frame, clusterID: clusterID, maximumFrameBytes: maximumFrameBytes).envelope
    }

    /// Decodes exactly one whole frame of either kind (no tag).
    public static func decodePeerFrame(
        _ frame: [UInt8], clusterID: UInt64, maximumFrameBytes: Int = defaultMaximumFrameBytes
    ) throws(WireError) -> PeerFrame {
        let result = frame.withUnsafeBytes { bytes in
            Result { () throws(WireError) -> PeerFrame in
                guard bytes.count >= FrameLayout.headerBytes else { throw .malformed("truncated header") }
                let header = try FrameHeader.parse(bytes, clusterID: clusterID, maximumFrameBytes: maximumFrameBytes)
                guard bytes.count == header.frameLength else { throw .malformed("frame length does not match its header") }
                return try decodeBody(bytes, header: header)
            }
        }
        return try result.get()
    }

    /// Decodes exactly one whole frame, with the reports it carries.
    public static func decodeFrame(
        _ frame: [UInt8], clusterID: UInt64, maximumFrameBytes: Int = defaultMaximumFrameBytes
    ) throws(WireError) -> DecodedFrame {
        let result = frame.withUnsafeBytes { bytes in
            Result { () throws(WireError) -> DecodedFrame in
                guard bytes.count >= FrameLayout.headerBytes else { throw .malformed("truncated header") }
                let header = try FrameHeader.parse(
                    bytes, clusterID: clusterID, maximumFrameBytes: maximumFrameBytes)
                guard bytes.count >= header.frameLength else { throw .malformed("truncated frame") }
                guard bytes.count == header.frameLength else { throw .malformed("trailing bytes after frame") }
                guard case .message(let decoded) = try decodeBody(bytes, header: header) else {
                    throw .malformed("a handshake frame where a message was expected")
                }
                return decoded
            }
        }
        return try result.get()
    }

    /// Verifies the checksum and decodes the payload of a frame whose header has been validated.
    /// - Precondition: `frame` holds exactly `header.frameLength` bytes.
    static func decodeBody(_ frame: UnsafeRawBufferPointer, header: FrameHeader) throws(WireError) -> PeerFrame {
        let checked = FrameLayout.headerBytes + header.payloadLength
        var trailer = ByteReader(UnsafeRawBufferPointer(rebasing: frame[checked...]))
        let expected = try trailer.readUInt32(field: "checksum")
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: frame[..<checked])) == expected else {
            throw .checksumMismatch
        }

        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: frame[FrameLayout.headerBytes..<checked]))
        if header.kind.isHandshake {
            let handshake = try decodeHandshake(&reader, kind: header.kind)
            guard reader.remaining == 0 else { throw .malformed("\(reader.remaining) trailing payload bytes") }
            return .handshake(handshake)
        }
        let from = try readNodeID(&reader, field: "sender")
        let to = try readNodeID(&reader, field: "recipient")
        let term = try reader.readUInt64(field: "term")
        let message: Message
        switch header.kind {
        case .requestVote:
            let flags = try readFlags(&reader, allowed: preVoteFlag | leadershipTransferFlag | leaderGoneFlag)
            let membershipTerm = try reader.readUInt64(field: "membership term")
            let membershipIndex = try reader.readUInt64(field: "membership index")
            message = .requestVote(
                RequestVote(
                    term: term, preVote: flags & preVoteFlag != 0,
                    leadershipTransfer: flags & leadershipTransferFlag != 0,
                    membershipTerm: membershipTerm, membershipIndex: membershipIndex, leaderGone: flags & leaderGoneFlag != 0))
        case .voteResponse:
            let flags = try readFlags(&reader, allowed: preVoteFlag | grantedFlag)
            message = .voteResponse(
                VoteResponse(term: term, preVote: flags & preVoteFlag != 0, granted: flags & grantedFlag != 0))
        case .heartbeat:
            let round = try reader.readUInt64(field: "round")
            let membershipTerm = try reader.readUInt64(field: "membership term")
            let membershipIndex = try reader.readUInt64(field: "membership index")
            let committedIndex = try reader.readUInt64(field: "committed index")
            let flags = try readFlags(&reader, allowed: membershipFlag)
            var entry: MembershipConfiguration?
            if flags & membershipFlag != 0 {
                entry = MembershipConfiguration(index: membershipIndex, term: membershipTerm, members: try MembershipCodec.readMembers(&reader))
            }
            message = .heartbeat(Heartbeat(term: term, round: round, membershipTerm: membershipTerm, membershipIndex: membershipIndex,
                                           membership: entry, committedIndex: committedIndex))
        case .heartbeatResponse:
            let round = try reader.readUInt64(field: "round")
            let flags = try readFlags(&reader, allowed: acceptedFlag | unhealthyFlag)
            let membershipTerm = try reader.readUInt64(field: "membership term")
            let membershipIndex = try reader.readUInt64(field: "membership index")
            message = .heartbeatResponse(
                HeartbeatResponse(term: term, round: round, accepted: flags & acceptedFlag != 0, healthy: flags & unhealthyFlag == 0,
                                  membershipTerm: membershipTerm, membershipIndex: membershipIndex))
        case .timeoutNow:
            message = .timeoutNow(TimeoutNow(term: term))
        case .hello, .challenge, .proof, .refusal:
            preconditionFailure("handshake kinds are decoded above")
        }
        var reports: [PeerReport] = []
        if header.kind == .heartbeat || header.kind == .heartbeatResponse, reader.remaining > 0 {
            let count = Int(try reader.readUInt8(field: "report count"))
            guard (1...PeerReport.maximumPerFrame).contains(count) else { throw .malformed("report count \(count) out of range") }
            for _ in 0..<count { reports.append(try PeerReport.read(&reader)) }
        }
        guard reader.remaining == 0 else { throw .malformed("\(reader.remaining) trailing payload bytes") }
        return .message(DecodedFrame(envelope: Envelope(from: from, to: to, message: message), reports: reports))
    }

    private static func decodeHandshake(_ reader: inout ByteReader, kind: MessageKind) throws(WireError) -> HandshakeMessage {
        switch kind {
        case .hello:
            let from = try readNodeID(&reader, field: "sender")
            let to = try readNodeID(&reader, field: "recipient")
            let flags = try readFlags(&reader, allowed: insecureFlag)
            let keyID = Array(try reader.readBytes(Handshake.keyIDByteCount, field: "key id"))
            let nonce = Array(try reader.readBytes(Handshake.nonceByteCount, field: "nonce"))
            return .hello(Hello(from: from, to: to, insecure: flags & insecureFlag != 0, keyID: keyID, nonce: nonce))
        case .challenge:
            let from = try readNodeID(&reader, field: "sender")
            let to = try readNodeID(&reader, field: "recipient")
            let nonce = Array(try reader.readBytes(Handshake.nonceByteCount, field: "nonce"))
            return .challenge(Challenge(from: from, to: to, nonce: nonce, proof: try readProof(&reader)))
        case .proof:
            return .proof(Proof(proof: try readProof(&reader)))
        case .refusal:
            let code = try reader.readUInt8(field: "refusal reason")
            guard let reason = Refusal.Reason(rawValue: code) else { throw .malformed("unknown refusal reason \(code)") }
            let length = Int(try reader.readUInt8(field: "refusal detail length"))
            guard length <= Refusal.maximumDetailBytes else { throw .malformed("refusal detail of \(length) bytes") }
            let bytes = try reader.readBytes(length, field: "refusal detail")
            guard let detail = String(validating: bytes, as: UTF8.self) else { throw .malformed("refusal detail is not UTF-8") }
            return .refusal(Refusal(reason, detail))
        default:
            preconditionFailure("not a handshake kind")
        }
    }

    private static func readProof(_ reader: inout ByteReader) throws(WireError) -> [UInt8] {
        let length = Int(try reader.readUInt8(field: "proof length"))
        guard length == 0 || length == Handshake.proofByteCount else { throw .malformed("proof of \(length) bytes") }
        return Array(try reader.readBytes(length, field: "proof"))
    }

    static func appendNodeID(_ id: NodeID, to frame: inout [UInt8]) {
        let bytes = id.rawValue.utf8
        // NodeID guarantees 1 to 64 bytes, so the count fits the length byte.
        frame.append(UInt8(bytes.count))
        frame.append(contentsOf: bytes)
    }

    static func readNodeID(_ reader: inout ByteReader, field: String) throws(WireError) -> NodeID {
        let length = Int(try reader.readUInt8(field: "\(field) length"))
        guard length >= 1, length <= NodeID.maximumLength else {
            throw .malformed("\(field) length \(length) out of range")
        }
        let bytes = try reader.readBytes(length, field: field)
        guard bytes.allSatisfy(isNodeIDByte) else { throw .malformed("invalid \(field) bytes") }
        let text = String(decoding: bytes, as: UTF8.self)
        // Redundant with the byte check, but it is what keeps NodeID's precondition from trapping.
        guard NodeID.isValid(text) else { throw .malformed("invalid \(field)") }
        return NodeID(text)
    }

    private static func isNodeIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    private static func readFlags(_ reader: inout ByteReader, allowed: UInt8) throws(WireError) -> UInt8 {
        let flags = try reader.readUInt8(field: "flags")
        guard flags & ~allowed == 0 else { throw .malformed("unknown flag bits 0x\(String(flags, radix: 16))") }
        return flags
    }
}
