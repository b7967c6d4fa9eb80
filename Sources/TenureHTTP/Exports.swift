/// The request parser, responses, server-sent event framing and chunked decoding live in the pure
/// TenureHTTPCodec; re-exported so that an `import TenureHTTP` (the node's API server and runtime,
/// the client library) reaches them as before. Code that needs no socket imports TenureHTTPCodec.
@_exported import TenureHTTPCodec
