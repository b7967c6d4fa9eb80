/// Byte constants and classifiers for HTTP's ASCII syntax, so parsing works on bytes, not Strings.
/// `package`: the blocking client in TenureHTTP reads response heads with the same rules.
package enum HTTPASCII {
    package static let tab = UInt8(ascii: "\t")
    package static let lf = UInt8(ascii: "\n")
    package static let cr = UInt8(ascii: "\r")
    package static let space = UInt8(ascii: " ")
    package static let hash = UInt8(ascii: "#")
    package static let percent = UInt8(ascii: "%")
    package static let ampersand = UInt8(ascii: "&")
    package static let plus = UInt8(ascii: "+")
    package static let dot = UInt8(ascii: ".")
    package static let slash = UInt8(ascii: "/")
    package static let zero = UInt8(ascii: "0")
    package static let one = UInt8(ascii: "1")
    package static let nine = UInt8(ascii: "9")
    package static let colon = UInt8(ascii: ":")
    package static let equals = UInt8(ascii: "=")
    package static let question = UInt8(ascii: "?")

    package static func isDigit(_ byte: UInt8) -> Bool { byte >= zero && byte <= nine }

    package static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    package static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case zero...nine: byte - zero
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// RFC 9110 `tchar`: the characters allowed in methods and header names.
    package static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case zero...nine, UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
