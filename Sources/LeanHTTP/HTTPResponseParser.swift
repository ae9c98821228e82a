import NIOCore

/// Reads one HTTP/1.x response from the bytes of a connection: the head, then the body in pieces, then
/// the end. Only what a probe needs is kept from the head (status, `Location`, keep-alive, framing).
///
/// A pure value type with no I/O: ``ResponseHandler`` feeds it what the socket delivers, in whatever
/// pieces arrive, and tests feed it byte by byte. It guarantees:
/// - It never buffers: ``next(_:)`` consumes from the buffer it is given only what it has decided on, and
///   leaves an incomplete head or chunk-size line in place for the caller to keep and extend.
/// - Every byte is read through a bounds-checked `Span`: no read outside the buffer, in any build.
/// - It is strict where a lenient reading could frame a response differently from the server (and so
///   poison the next request on a shared connection): lines end with CRLF; a header name is a token
///   followed directly by the colon; obsolete line folding, control bytes, `Content-Length` together with
///   `Transfer-Encoding` and a repeated `Content-Length` are errors (``InvalidHTTPResponse``), as are a
///   head larger than ``maximumHeadSize`` and a malformed status line, length or chunk. Never unbounded
///   memory or a hang. Header names are compared ASCII case-insensitively.
/// - Interim `1xx` heads are skipped (except `101`, which is final); the body framing follows RFC 9112
///   §6.3: none for HEAD, `1xx`, `204` and `304`; chunked when `Transfer-Encoding` ends in `chunked`;
///   `Content-Length` otherwise; until the connection closes when neither is given.
struct HTTPResponseParser {
    /// What the parser keeps of a response head.
    struct Head: Equatable {
        /// The `x` of `HTTP/1.x`.
        var minorVersion = 1
        var code = 0
        var reason = ""
        var location: String?
        /// Whether the connection may carry another request once this response has ended.
        var isKeepAlive = true
        /// The body's length when known before it is read (0 when there is none); `nil` for chunked and
        /// until-close bodies.
        var bodyLength: Int?
        /// Every header field in order, name as sent and value without surrounding white space; only
        /// filled when the parser was made with `recordsFields` (for tests), empty otherwise.
        var fields: [Field] = []
    }

    /// One header field, as ``Head/fields`` records it.
    struct Field: Equatable {
        var name: String
        var value: String
    }

    /// One step of a response.
    enum Event: Equatable {
        case head(Head)
        /// The next bytes of the body (a slice of the buffer given to ``next(_:)``, not a copy).
        case body(ByteBuffer)
        /// The response is complete; bytes after it belong to no request.
        case end
    }

    /// The most bytes a response head (status line and headers, interim heads included) may take.
    static let maximumHeadSize = 80 * 1024
    private static let headTooLarge = InvalidHTTPResponse(reason: "too many header bytes: more than \(maximumHeadSize / 1024) KiB")
    /// The longest chunk-size line (extensions included).
    static let maximumChunkLineSize = 4 * 1024

    private enum Chunked: Equatable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(seen: Int)
    }

    private enum Step: Equatable {
        /// `seen`: bytes of interim heads already consumed; `scanned`: bytes of the buffer already
        /// searched for the blank line that ends the head (so a head arriving in pieces is scanned once).
        case head(seen: Int, scanned: Int)
        case length(remaining: Int)
        case chunked(Chunked)
        case untilClose
        case endPending
        case done
    }

    private let isResponseToHEAD: Bool
    private let recordsFields: Bool
    private var step = Step.head(seen: 0, scanned: 0)

    /// A parser for the response to one request; `isResponseToHEAD` means the response has no body.
    /// `recordsFields` keeps every header field in ``Head/fields`` (tests compare them with NIOHTTP1's).
    init(isResponseToHEAD: Bool, recordsFields: Bool = false) {
        self.isResponseToHEAD = isResponseToHEAD
        self.recordsFields = recordsFields
    }

    /// Whether ``Event/end`` has been returned.
    var isComplete: Bool { step == .done }

    /// The next event that `buffer` holds, consuming its bytes; `nil` when more bytes are needed (an
    /// incomplete head or chunk line stays unread in `buffer`) or the response is complete.
    /// - Throws: ``InvalidHTTPResponse``.
    mutating func next(_ buffer: inout ByteBuffer) throws(InvalidHTTPResponse) -> Event? {
        switch step {
        case .head(let seen, let scanned):
            return try nextHead(&buffer, seen: seen, scanned: scanned)
        case .length(let remaining):
            guard buffer.readableBytes > 0 else { return nil }
            let count = min(remaining, buffer.readableBytes)
            step = count == remaining ? .endPending : .length(remaining: remaining - count)
            return .body(buffer.readSlice(length: count)!)
        case .untilClose:
            guard buffer.readableBytes > 0 else { return nil }
            return .body(buffer.readSlice(length: buffer.readableBytes)!)
        case .chunked(let state):
            return try nextChunked(&buffer, state)
        case .endPending:
            step = .done
            return .end
        case .done:
            return nil
        }
    }

    /// The event the closing of the connection means: the end of a body that runs until the close;
    /// `nil` (the response is incomplete) otherwise.
    mutating func connectionClosed() -> Event? {
        switch step {
        case .untilClose, .endPending:
            step = .done
            return .end
        default:
            return nil
        }
    }

    // MARK: Head

    private mutating func nextHead(_ buffer: inout ByteBuffer, seen: Int, scanned: Int) throws(InvalidHTTPResponse) -> Event? {
        var seen = seen
        var scanned = scanned
        while true {
            guard let end = try Self.headEnd(buffer.readableBytesUInt8Span, from: scanned) else {
                if seen + buffer.readableBytes > Self.maximumHeadSize {
                    throw Self.headTooLarge
                }
                try Self.checkStatusLinePrefix(buffer.readableBytesUInt8Span)
                step = .head(seen: seen, scanned: max(0, buffer.readableBytes - 3))
                return nil
            }
            guard seen + end <= Self.maximumHeadSize else {
                throw Self.headTooLarge
            }
            let (head, framing) = try Self.parseHead(buffer.readableBytesUInt8Span.extracting(0..<end), recordsFields: recordsFields)
            buffer.moveReaderIndex(forwardBy: end)
            if head.code < 200 && head.code != 101 {
                // An interim answer (100 Continue, 103 Early Hints): the final head follows, unless the
                // interim one closes the connection, which leaves no room for it.
                guard head.isKeepAlive else { throw InvalidHTTPResponse(reason: "an interim response closes the connection") }
                seen += end
                scanned = 0
                continue
            }
            var final = head
            switch isResponseToHEAD || head.code == 101 ? .empty : framing {
            case .empty:
                final.bodyLength = 0
                step = .endPending
            case .length(let count):
                final.bodyLength = count
                step = count == 0 ? .endPending : .length(remaining: count)
            case .chunked:
                final.bodyLength = nil
                step = .chunked(.size)
            case .untilClose:
                final.bodyLength = nil
                final.isKeepAlive = false
                step = .untilClose
            }
            // Switching protocols: the connection is not HTTP any more. A head without a length (nor
            // chunked) would have its body run until the close: even when no body follows (HEAD), the
            // connection is not trusted with another request, as NIOHTTP1 does not trust it either.
            if head.code == 101 || framing == .untilClose { final.isKeepAlive = false }
            return .head(final)
        }
    }

    /// The length of the head at the start of `bytes` (up to and including the CRLF of its empty line),
    /// searching from `start`; `nil` if it has not all arrived.
    /// - Throws: when a line ends with a bare LF.
    private static func headEnd(_ bytes: Span<UInt8>, from start: Int) throws(InvalidHTTPResponse) -> Int? {
        var index = start
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                guard index > 0, bytes[index - 1] == UInt8(ascii: "\r") else {
                    throw InvalidHTTPResponse(reason: "line ends with LF without CR")
                }
                if index >= 3, bytes[index - 2] == UInt8(ascii: "\n") { return index + 1 }
            }
            index += 1
        }
        return nil
    }

    /// Rejects bytes that cannot be the start of a status line as soon as they arrive, rather than
    /// waiting for a head that never ends.
    private static func checkStatusLinePrefix(_ bytes: Span<UInt8>) throws(InvalidHTTPResponse) {
        let prefix = Self.statusLinePrefix
        for index in 0..<min(bytes.count, prefix.count) where bytes[index] != prefix[index] {
            throw InvalidHTTPResponse(reason: "not an HTTP status line")
        }
    }

    private static let statusLinePrefix: [UInt8] = Array("HTTP/".utf8)

    private enum Framing: Equatable {
        case empty
        case length(Int)
        case chunked
        case untilClose
    }

    /// Parses a complete head (`bytes` ends with its empty line): the head, and how its body is framed
    /// (before the request method is considered).
    private static func parseHead(_ bytes: Span<UInt8>, recordsFields: Bool) throws(InvalidHTTPResponse) -> (Head, Framing) {
        guard let statusLine = try line(in: bytes, from: 0) else { throw InvalidHTTPResponse(reason: "incomplete head") }
        var head = try parseStatusLine(bytes, statusLine.content)
        var position = statusLine.next
        var contentLength: Int?
        var hasTransferEncoding = false
        var isChunked = false
        var connectionClose = false
        var connectionKeepAlive = false
        // `bytes` ends with the empty line (``headEnd(_:from:)`` found it, and every LF has its CR), so
        // each field line below ends with a CR within it.
        while bytes[position] != UInt8(ascii: "\r") {
            let (name, value, lineEnd) = try parseField(bytes, from: position)
            position = lineEnd + 2
            if recordsFields {
                head.fields.append(Field(name: string(bytes, name), value: string(bytes, value)))
            }
            switch fieldName(bytes, name) {
            case .contentLength:
                // Digits with spaces around them at most (NIOHTTP1 refuses a tab there).
                guard let length = parseDecimal(bytes, value), !contains(bytes, name.upperBound..<lineEnd, UInt8(ascii: "\t")) else {
                    throw InvalidHTTPResponse(reason: "invalid Content-Length")
                }
                // RFC 9112 §6.3 allows rejecting any repetition; NIOHTTP1 does too.
                if let contentLength {
                    throw InvalidHTTPResponse(
                        reason: contentLength == length ? "repeated Content-Length header" : "conflicting Content-Length headers"
                    )
                }
                contentLength = length
            case .transferEncoding:
                hasTransferEncoding = true
                // The last coding of the last field decides (fields combine into one list).
                forEachToken(bytes, value) { isChunked = equalsIgnoringCase(bytes, $0, "chunked") }
            case .connection:
                forEachToken(bytes, value) { token in
                    if equalsIgnoringCase(bytes, token, "close") { connectionClose = true }
                    if equalsIgnoringCase(bytes, token, "keep-alive") { connectionKeepAlive = true }
                }
            case .location:
                head.location = string(bytes, value)
            case nil:
                break
            }
        }
        // The loop stops at a CR: the empty line's, or a bare CR starting a line.
        guard position == bytes.count - 2 else { throw InvalidHTTPResponse(reason: "control byte in a header name") }
        head.isKeepAlive = !connectionClose && (head.minorVersion >= 1 || connectionKeepAlive)
        // RFC 9112 §6.3: a sender must not send both; a recipient that trusted one could read the body
        // differently from the server, so the response is refused (even where no body is allowed).
        if hasTransferEncoding && contentLength != nil { throw InvalidHTTPResponse(reason: "both Content-Length and Transfer-Encoding") }
        let framing: Framing
        if head.code < 200 || head.code == 204 || head.code == 304 {
            framing = .empty
        } else if hasTransferEncoding {
            framing = isChunked ? .chunked : .untilClose
        } else if let contentLength {
            framing = .length(contentLength)
        } else {
            framing = .untilClose
        }
        return (head, framing)
    }

    /// `HTTP/1.0` or `HTTP/1.1`, `SP 3DIGIT`, then the end of the line or `SP reason`.
    private static func parseStatusLine(_ bytes: Span<UInt8>, _ line: Range<Int>) throws(InvalidHTTPResponse) -> Head {
        guard line.count >= 9, startsWith(bytes, line.lowerBound, statusLinePrefix) else {
            throw InvalidHTTPResponse(reason: "not an HTTP status line")
        }
        let start = line.lowerBound
        let major = bytes[start + 5]
        let minor = bytes[start + 7]
        guard isDigit(major), bytes[start + 6] == UInt8(ascii: "."), isDigit(minor), bytes[start + 8] == UInt8(ascii: " ") else {
            throw InvalidHTTPResponse(reason: "not an HTTP status line")
        }
        guard major == UInt8(ascii: "1"), minor <= UInt8(ascii: "1") else { throw InvalidHTTPResponse(reason: "unsupported HTTP version") }
        var end = start + 9
        while end < line.upperBound, bytes[end] != UInt8(ascii: " ") { end += 1 }
        let digits = start + 9..<end
        guard digits.count == 3, allDigits(bytes, digits) else {
            throw InvalidHTTPResponse(reason: "status code is not three digits")
        }
        guard let code = parseDecimal(bytes, digits), code >= 100 else {
            throw InvalidHTTPResponse(reason: "invalid status code")
        }
        var head = Head()
        head.minorVersion = Int(minor - UInt8(ascii: "0"))
        head.code = code
        if digits.upperBound < line.upperBound {
            let reason = digits.upperBound + 1..<line.upperBound
            for index in reason where !isFieldByte(bytes[index]) {
                throw InvalidHTTPResponse(reason: "control byte in the reason phrase")
            }
            head.reason = string(bytes, reason)
        }
        return head
    }

    /// `token ":" OWS value OWS CRLF`, the line starting at `start`: the name's and the (trimmed) value's
    /// ranges, and where the line's CR is. One pass over the line's bytes.
    /// - Precondition: a CR follows within `bytes` (as in a whole head, or a line ``line(in:from:)`` found).
    private static func parseField(_ bytes: Span<UInt8>, from start: Int) throws(InvalidHTTPResponse) -> (Range<Int>, Range<Int>, Int) {
        let first = bytes[start]
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            throw InvalidHTTPResponse(reason: "obsolete line folding in a header")
        }
        var colon = start
        while isTokenByte(bytes[colon]) { colon += 1 }
        let stop = bytes[colon]
        if stop != UInt8(ascii: ":") {
            if stop == UInt8(ascii: " ") || stop == UInt8(ascii: "\t") {
                var after = colon
                while bytes[after] == UInt8(ascii: " ") || bytes[after] == UInt8(ascii: "\t") { after += 1 }
                if bytes[after] == UInt8(ascii: ":") {
                    throw InvalidHTTPResponse(reason: "whitespace before the colon in a header")
                }
                throw InvalidHTTPResponse(reason: "malformed header line")
            }
            if stop == UInt8(ascii: "\r") && bytes[colon + 1] == UInt8(ascii: "\n") {
                throw InvalidHTTPResponse(reason: "malformed header line")  // no colon on the line
            }
            if stop < 0x20 || stop == 0x7F { throw InvalidHTTPResponse(reason: "control byte in a header name") }
            throw InvalidHTTPResponse(reason: "invalid character in a header name")
        }
        guard colon > start else { throw InvalidHTTPResponse(reason: "empty header name") }
        var index = colon + 1
        while bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        let valueStart = index
        var valueEnd = index
        while true {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\r") { break }
            guard isFieldByte(byte) else { throw InvalidHTTPResponse(reason: "control byte in a header value") }
            index += 1
            if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") { valueEnd = index }
        }
        // A CR inside the value (not before the LF) is a control byte too.
        guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") else {
            throw InvalidHTTPResponse(reason: "control byte in a header value")
        }
        return (start..<colon, valueStart..<valueEnd, index)
    }

    /// The header fields a probe reads.
    private enum KnownField {
        case contentLength
        case transferEncoding
        case connection
        case location
    }

    private static func fieldName(_ bytes: Span<UInt8>, _ name: Range<Int>) -> KnownField? {
        switch name.count {
        case 14: equalsIgnoringCase(bytes, name, "content-length") ? .contentLength : nil
        case 17: equalsIgnoringCase(bytes, name, "transfer-encoding") ? .transferEncoding : nil
        case 10: equalsIgnoringCase(bytes, name, "connection") ? .connection : nil
        case 8: equalsIgnoringCase(bytes, name, "location") ? .location : nil
        default: nil
        }
    }

    // MARK: Chunked bodies

    private mutating func nextChunked(_ buffer: inout ByteBuffer, _ state: Chunked) throws(InvalidHTTPResponse) -> Event? {
        var state = state
        while true {
            switch state {
            case .size:
                guard let (size, length) = try Self.parseChunkSize(buffer.readableBytesUInt8Span) else {
                    step = .chunked(.size)
                    return nil
                }
                buffer.moveReaderIndex(forwardBy: length)
                state = size == 0 ? .trailers(seen: 0) : .data(remaining: size)
            case .data(let remaining):
                guard buffer.readableBytes > 0 else {
                    step = .chunked(state)
                    return nil
                }
                let count = min(remaining, buffer.readableBytes)
                step = .chunked(count == remaining ? .dataEnd : .data(remaining: remaining - count))
                return .body(buffer.readSlice(length: count)!)
            case .dataEnd:
                let ending = Self.chunkDataEnd(buffer.readableBytesUInt8Span)
                guard let ending else {
                    step = .chunked(.dataEnd)
                    return nil
                }
                guard ending else { throw InvalidHTTPResponse(reason: "malformed chunk") }
                buffer.moveReaderIndex(forwardBy: 2)
                state = .size
            case .trailers(let seen):
                // Trailer fields are checked as header fields and ignored, up to the empty line that ends the message.
                let line = try Self.line(in: buffer.readableBytesUInt8Span, from: 0)
                let total = seen + (line?.next ?? buffer.readableBytes)
                guard total <= Self.maximumHeadSize else {
                    throw InvalidHTTPResponse(reason: "too many trailer bytes: more than \(Self.maximumHeadSize / 1024) KiB")
                }
                guard let line else {
                    step = .chunked(.trailers(seen: seen))
                    return nil
                }
                if !line.content.isEmpty {
                    let trailer = buffer.readableBytesUInt8Span
                    let (name, _, _) = try Self.parseField(trailer, from: 0)
                    // A length or coding in the trailers could only confuse: the body has already ended.
                    if let field = Self.fieldName(trailer, name), field == .contentLength || field == .transferEncoding {
                        throw InvalidHTTPResponse(reason: "framing header in the trailers")
                    }
                }
                buffer.moveReaderIndex(forwardBy: line.next)
                if line.content.isEmpty {
                    step = .done
                    return .end
                }
                state = .trailers(seen: total)
            }
        }
    }

    /// Whether the bytes after a chunk's data are its CRLF; `nil` until two bytes are there.
    private static func chunkDataEnd(_ bytes: Span<UInt8>) -> Bool? {
        guard bytes.count >= 2 else {
            return bytes.count == 1 && bytes[0] != UInt8(ascii: "\r") ? false : nil
        }
        return bytes[0] == UInt8(ascii: "\r") && bytes[1] == UInt8(ascii: "\n")
    }

    /// `1*HEXDIG [; extensions] CRLF`: the size and the line's length; `nil` if the line is incomplete.
    private static func parseChunkSize(_ bytes: Span<UInt8>) throws(InvalidHTTPResponse) -> (Int, Int)? {
        guard let line = try line(in: bytes, from: 0) else {
            if bytes.count > maximumChunkLineSize { throw InvalidHTTPResponse(reason: "chunk size line too long") }
            return nil
        }
        var size = 0
        var digits = 0
        for index in line.content {
            let byte = bytes[index]
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"):
                guard digits > 0 else { throw InvalidHTTPResponse(reason: "malformed chunk size") }
                try checkChunkExtensions(bytes, index..<line.content.upperBound)
                return (size, line.next)
            default:
                throw InvalidHTTPResponse(reason: "malformed chunk size")
            }
            digits += 1
            guard digits <= 15 else { throw InvalidHTTPResponse(reason: "chunk too large") }
            size = size * 16 + value
        }
        guard digits > 0 else { throw InvalidHTTPResponse(reason: "malformed chunk size") }
        return (size, line.next)
    }

    /// `*( ";" token [ "=" ( token / quoted-string ) ] )`, with no white space (RFC 9112 §7.1.1, as
    /// strictly as NIOHTTP1 reads it). The extensions themselves are ignored.
    private static func checkChunkExtensions(_ bytes: Span<UInt8>, _ range: Range<Int>) throws(InvalidHTTPResponse) {
        let malformed = InvalidHTTPResponse(reason: "malformed chunk extension")
        var index = range.lowerBound
        while index < range.upperBound {
            guard bytes[index] == UInt8(ascii: ";") else { throw malformed }
            index += 1
            let nameStart = index
            while index < range.upperBound, isTokenByte(bytes[index]) { index += 1 }
            guard index > nameStart else { throw malformed }
            guard index < range.upperBound, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            if index < range.upperBound, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while index < range.upperBound, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < range.upperBound, isFieldByte(bytes[index]) else { throw malformed }
                    index += 1
                }
                guard index < range.upperBound else { throw malformed }
                index += 1
            } else {
                let valueStart = index
                while index < range.upperBound, isTokenByte(bytes[index]) { index += 1 }
                guard index > valueStart else { throw malformed }
            }
        }
    }

    // MARK: Bytes

    /// The line that starts at `start`: its content (without the CRLF) and where the next line starts;
    /// `nil` if no LF has arrived yet.
    /// - Throws: when the LF has no CR before it (a bare LF could end a line for one reader and not another).
    private static func line(in bytes: Span<UInt8>, from start: Int) throws(InvalidHTTPResponse) -> (content: Range<Int>, next: Int)? {
        var index = start
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                guard index > start, bytes[index - 1] == UInt8(ascii: "\r") else {
                    throw InvalidHTTPResponse(reason: "line ends with LF without CR")
                }
                return (start..<index - 1, index + 1)
            }
            index += 1
        }
        return nil
    }

    private static func contains(_ bytes: Span<UInt8>, _ range: Range<Int>, _ byte: UInt8) -> Bool {
        for index in range where bytes[index] == byte { return true }
        return false
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func allDigits(_ bytes: Span<UInt8>, _ range: Range<Int>) -> Bool {
        for index in range where !isDigit(bytes[index]) { return false }
        return true
    }

    /// `tchar` of RFC 9110 §5.6.2: the bytes of a header name.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        // One bit per ASCII byte: `!#$%&'*+-.^_`|~`, digits and letters.
        let low: UInt64 = 0x03FF_6CFA_0000_0000  // 0x00-0x3F
        let high: UInt64 = 0x57FF_FFFF_C7FF_FFFE  // 0x40-0x7F
        return byte < 64 ? (low >> byte) & 1 == 1 : byte < 128 && (high >> (byte - 64)) & 1 == 1
    }

    /// The bytes a field value or reason phrase may hold: HTAB, SP, visible ASCII and obs-text (no
    /// control byte, so no CR).
    private static func isFieldByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\t") || (byte >= 0x20 && byte != 0x7F)
    }

    private static func startsWith(_ bytes: Span<UInt8>, _ start: Int, _ prefix: [UInt8]) -> Bool {
        guard start + prefix.count <= bytes.count else { return false }
        for (offset, byte) in prefix.enumerated() where bytes[start + offset] != byte { return false }
        return true
    }

    private static func string(_ bytes: Span<UInt8>, _ range: Range<Int>) -> String {
        bytes.extracting(range).withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    /// A non-negative decimal of at most 18 digits.
    private static func parseDecimal(_ bytes: Span<UInt8>, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for index in range {
            guard isDigit(bytes[index]) else { return nil }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
        }
        return value
    }

    /// Calls `body` with each comma-separated token in `range`, trimmed (the last call gets the last token).
    private static func forEachToken(_ bytes: Span<UInt8>, _ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        while start <= range.upperBound {
            var end = start
            while end < range.upperBound, bytes[end] != UInt8(ascii: ",") { end += 1 }
            body(trimmed(bytes, start..<end))
            start = end + 1
        }
    }

    private static func trimmed(_ bytes: Span<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == UInt8(ascii: " ") || bytes[lower] == UInt8(ascii: "\t") { lower += 1 }
        while upper > lower, bytes[upper - 1] == UInt8(ascii: " ") || bytes[upper - 1] == UInt8(ascii: "\t") { upper -= 1 }
        return lower..<upper
    }

    /// Whether the bytes in `range` spell `lowercased` (ASCII), ignoring case: only `A`–`Z` are folded,
    /// so no other byte can pass for a letter or a `-`.
    private static func equalsIgnoringCase(_ bytes: Span<UInt8>, _ range: Range<Int>, _ lowercased: StaticString) -> Bool {
        guard range.count == lowercased.utf8CodeUnitCount else { return false }
        return lowercased.withUTF8Buffer { expected in
            var index = range.lowerBound
            for byte in expected {
                var actual = bytes[index]
                if actual >= UInt8(ascii: "A") && actual <= UInt8(ascii: "Z") { actual |= 0x20 }
                guard actual == byte else { return false }
                index += 1
            }
            return true
        }
    }
}
