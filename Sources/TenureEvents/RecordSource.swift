/// Where a record read from a file came from: the line exactly as it was written and its place
/// (`file:line`).
///
/// The history checker prints counterexamples with the lines the node wrote, so a reader can
/// find them in the log; a record built in memory (by the node, or by a test) has none.
public struct RecordSource: Sendable, Hashable {
    /// The line as written, without its newline.
    public var line: String
    /// `file:line`.
    public var location: String

    public init(line: String, location: String) {
        self.line = line
        self.location = location
    }
}
