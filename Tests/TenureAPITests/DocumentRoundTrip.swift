import Testing
import TenureAPI
import TenureJSON

/// Decodes `text` as a `Document`, checks that it encodes back to exactly `text` and that a
/// decode of its encoding is equal to it; returns the document.
@discardableResult
func roundTrip<Document: JSONDocument & Equatable>(_ text: String, as type: Document.Type,
                                                   sourceLocation: SourceLocation = #_sourceLocation) throws -> Document {
    let document = try Document(parsing: text)
    #expect(document.json == text, sourceLocation: sourceLocation)
    #expect(try Document(parsing: document.json) == document, sourceLocation: sourceLocation)
    return document
}

/// The error decoding `text` as a `Document` throws; nil when it decodes.
func decodeError<Document: JSONDocument>(_ text: String, as type: Document.Type) -> JSONDecodeError? {
    do {
        _ = try Document(parsing: text)
        return nil
    } catch {
        return error
    }
}

extension String {
    /// This text with the first occurrence of `target` replaced (the golden answers are edited to
    /// break one field at a time).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        replacing(target, with: replacement, maxReplacements: 1)
    }
}
