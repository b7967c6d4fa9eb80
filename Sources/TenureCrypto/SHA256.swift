/// SHA-256 (FIPS 180-4), the hash under every authentication code the peer protocol sends.
///
/// Written here rather than imported because TenureCrypto may use nothing beyond the standard
/// library. The hasher is incremental so that a frame can be hashed piece by piece (header, then
/// payload) without first being copied into one array, and it is a plain value: copying a hasher
/// part-way through a message gives two independent hashers that share the bytes absorbed so far.
/// `HMACKey` relies on that to absorb the padded key once and reuse the result for every frame.
///
/// The hasher keeps at most one partial 64-byte block inline (no heap storage), so copying it is
/// cheap and updating it never allocates.
public struct SHA256: Sendable {
    /// The length of a digest in bytes (256 bits).
    public static let digestByteCount = 32

    /// The length of the blocks the compression function consumes, in bytes. HMAC pads its key
    /// to this length.
    public static let blockByteCount = 64

    /// The eight working words of the hash, updated once per block.
    private var state: SHA256State

    /// Bytes received that do not yet fill a block, stored inline as 64 bytes.
    private var pendingBlock: SHA256Block

    /// How many bytes of `pendingBlock` are in use (always below 64 between calls).
    private var pendingByteCount: Int

    /// Every byte absorbed so far, which the final padding encodes as a bit count.
    private var totalByteCount: UInt64

    /// A hasher that has absorbed nothing, starting from the FIPS 180-4 initial hash value.
    public init() {
        state = SHA256State()
        pendingBlock = SHA256Block()
        pendingByteCount = 0
        totalByteCount = 0
    }

    /// The digest of `bytes` in one call, for callers that have the whole message at hand.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Absorbs `bytes` into the message. Contiguous collections (arrays, slices, strings' UTF-8
    /// views) are read in place; other sequences are gathered a few blocks at a time.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handledInPlace: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if handledInPlace != nil {
            return
        }
        let chunkByteCount = 4 * SHA256.blockByteCount
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunkByteCount) { chunk in
            var used = 0
            for byte in bytes {
                chunk[used] = byte
                used += 1
                if used == chunkByteCount {
                    update(UnsafeRawBufferPointer(chunk))
                    used = 0
                }
            }
            update(UnsafeRawBufferPointer(start: chunk.baseAddress, count: used))
        }
    }

    /// Absorbs the bytes of raw memory (a socket buffer, say) without copying them first, apart
    /// from the tail that does not fill a whole block.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var input = bytes.baseAddress, bytes.count > 0 else {
            return
        }
        var remaining = bytes.count
        totalByteCount &+= UInt64(remaining)

        // Top up a partly filled block first; compress it once it is full.
        if pendingByteCount > 0 {
            let alreadyPending = pendingByteCount
            let taken = min(SHA256.blockByteCount - alreadyPending, remaining)
            withUnsafeMutableBytes(of: &pendingBlock) { block in
                (block.baseAddress! + alreadyPending).copyMemory(from: input, byteCount: taken)
            }
            pendingByteCount += taken
            input += taken
            remaining -= taken
            if pendingByteCount < SHA256.blockByteCount {
                return
            }
            let block = pendingBlock
            withUnsafeBytes(of: block) { blockBytes in
                state.compress(blocks: blockBytes.baseAddress!, count: 1)
            }
            pendingByteCount = 0
        }

        // Whole blocks are compressed straight from the caller's memory.
        let wholeBlocks = remaining / SHA256.blockByteCount
        if wholeBlocks > 0 {
            state.compress(blocks: input, count: wholeBlocks)
            input += wholeBlocks * SHA256.blockByteCount
            remaining -= wholeBlocks * SHA256.blockByteCount
        }

        // Keep the tail for the next update or for the final padding.
        if remaining > 0 {
            let tail = input
            let tailCount = remaining
            withUnsafeMutableBytes(of: &pendingBlock) { block in
                block.baseAddress!.copyMemory(from: tail, byteCount: tailCount)
            }
            pendingByteCount = remaining
        }
    }

    /// Pads the message as FIPS 180-4 section 5.1.1 requires and returns the 32-byte digest.
    ///
    /// Consuming because a finished hasher has no further use; a caller that wants to keep going
    /// (or to finish the same prefix twice) finishes a copy instead.
    public consuming func finalize() -> [UInt8] {
        let messageBitCount = totalByteCount &* 8
        // One 0x80 byte, zeros, then the 64-bit length, ending exactly on a block boundary;
        // when fewer than 9 bytes are left in the current block the padding spills into another.
        let paddingByteCount = pendingByteCount < 56 ? 64 - pendingByteCount : 128 - pendingByteCount
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: paddingByteCount) { padding in
            padding.initialize(repeating: 0)
            padding[0] = 0x80
            for index in 0..<8 {
                padding[paddingByteCount - 1 - index] = UInt8(truncatingIfNeeded: messageBitCount >> (8 * index))
            }
            update(UnsafeRawBufferPointer(padding))
        }
        let finalState = state
        return [UInt8](unsafeUninitializedCapacity: SHA256.digestByteCount) { digest, initializedCount in
            finalState.writeBigEndian(to: digest)
            initializedCount = SHA256.digestByteCount
        }
    }
}

/// Sixty-four bytes kept inline, so that a hasher holds its partial block without a heap array
/// (which copying a prepared HMAC key would otherwise have to duplicate on every frame).
struct SHA256Block: Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
}
