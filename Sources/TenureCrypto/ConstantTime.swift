/// Comparisons whose running time does not reveal where two secrets differ.
///
/// `==` on arrays stops at the first differing byte, so an attacker who can time many attempts
/// at a forged authentication code learns how many leading bytes were right and can guess the
/// code one byte at a time. The comparison here always reads every byte.
public enum ConstantTime {
    /// Whether `first` and `second` hold the same bytes, reading all of them whatever they hold.
    ///
    /// Arrays of different lengths return `false` at once: the length of an authentication code
    /// or nonce is fixed by the protocol and public, so refusing early reveals nothing secret.
    public static func equals(_ first: [UInt8], _ second: [UInt8]) -> Bool {
        guard first.count == second.count else {
            return false
        }
        var difference: UInt8 = 0
        for index in first.indices {
            difference |= first[index] ^ second[index]
        }
        return difference == 0
    }
}
