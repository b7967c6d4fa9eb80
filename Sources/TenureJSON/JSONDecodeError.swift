/// Why a JSON document could not be read as the type expected, naming the field.
///
/// A client that gets a malformed answer, or a node that gets a malformed request, should say
/// which field was wrong rather than "bad answer": the field's path from the document's root
/// (`peers.n2.phi`, `members[1].id`) and what was wrong with it.
public struct JSONDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The field's path from the document's root; empty for the document itself.
    public var field: String
    /// What is wrong, phrased to follow the field's name: `is missing`, `must be a string`.
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    /// `'peers.n2.phi' must be a number or null`; the problem alone for the document itself.
    public var description: String { field.isEmpty ? problem : "'\(field)' \(problem)" }
}
