/// Hexadecimal text for bytes: how keys, nonces and codes appear in configuration, logs and tests.
///
/// Binary secrets cannot go into a command line or a configuration file as they are; hexadecimal
/// is unambiguous, easy to compare by eye and what other tools (`sha256sum`, `openssl`) print.
public enum Hex {
    /// Two lowercase digits per byte, most significant digit first ("00ff10").
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            digits.withUTF8Buffer { digit in
                for (index, byte) in bytes.enumerated() {
                    text[2 * index] = digit[Int(byte >> 4)]
                    text[2 * index + 1] = digit[Int(byte & 0x0F)]
                }
            }
            return bytes.count * 2
        }
    }

    /// The bytes spelled by `text`, two digits per byte, upper or lower case; `nil` if the text
    /// has an odd number of characters or anything other than hexadecimal digits (including
    /// spaces, a "0x" prefix and separators), so that a mistyped key is refused, not truncated.
    public static func decode(_ text: String) -> [UInt8]? {
        let characters = text.utf8
        guard characters.count % 2 == 0 else {
            return nil
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        var highDigit: UInt8?
        for character in characters {
            guard let value = digitValue(character) else {
                return nil
            }
            if let high = highDigit {
                bytes.append(high << 4 | value)
                highDigit = nil
            } else {
                highDigit = value
            }
        }
        return bytes
    }

    /// The value of one ASCII hexadecimal digit, or `nil` for any other byte.
    private static func digitValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
