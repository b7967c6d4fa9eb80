import Testing
@testable import TenureHTTPCodec

/// The response-body decoders the client's event streams use, on plain bytes: no socket needed.
@Suite struct HTTPStreamDecodingTests {
    @Test("the event parser handles CR, LF and CRLF line ends, comments and split input")
    func eventParserLineEnds() {
        var parser = HTTPEventParser()
        let input = Array("data:a\rdata: b\r\n\r: comment\nid:7\ndata\n\nid: 9\n\n".utf8)
        var events: [HTTPEventParser.Event] = []
        for byte in input { events += parser.feed([byte]) }
        #expect(events == [.init(id: nil, data: "a\nb"), .init(id: "7", data: "")])
    }

    @Test("the chunked decoder joins chunks split anywhere, skips extensions and trailers, and stops at the end")
    func chunkedDecoderSplitInput() throws {
        var decoder = HTTPChunkedDecoder()
        var output: [UInt8] = []
        for byte in Array("5\r\nhel".utf8) + Array("lo\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\nnot body".utf8) {
            try decoder.feed([byte][...], into: &output)
        }
        #expect(String(decoding: output, as: UTF8.self) == "hello, world")
        #expect(decoder.isDone)
    }

    @Test("the chunked decoder rejects a bad chunk size")
    func chunkedDecoderErrors() {
        var decoder = HTTPChunkedDecoder()
        var output: [UInt8] = []
        #expect(throws: HTTPChunkedError("invalid chunk size")) {
            try decoder.feed(Array("zz\r\n".utf8)[...], into: &output)
        }
    }
}
