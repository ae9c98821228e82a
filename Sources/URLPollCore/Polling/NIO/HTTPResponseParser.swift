import NIOCore

/// Reads one HTTP/1.x response from the bytes of a connection: the head, then the body in pieces, then
/// the end. Only what a probe needs is kept from the head (status, `Location`, keep-alive, framing).
///
/// A pure value type with no I/O: ``ResponseHandler`` feeds it what the socket delivers, in whatever
/// pieces arrive, and tests feed it byte by byte. It guarantees:
/// - It never buffers: ``next(_:)`` consumes from the buffer it is given only what it has decided on, and
///   leaves an incomplete head or chunk-size line in place for the caller to keep and extend.
/// - A head larger than ``maximumHeadSize`` (an endless stream of headers), a malformed status line,
///   header, length or chunk are errors (``InvalidResponse``), never unbounded memory or a hang.
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
    }

    /// One step of a response.
    enum Event: Equatable {
        case head(Head)
        /// The next bytes of the body (a slice of the buffer given to ``next(_:)``, not a copy).
        case body(ByteBuffer)
        /// The response is complete; bytes after it belong to no request.
        case end
    }

    /// A response that is not HTTP/1.x, or breaks its framing.
    struct InvalidResponse: Error, Equatable, CustomStringConvertible {
        let reason: String
        var description: String { "invalid HTTP response (\(reason))" }
    }

    /// The most bytes a response head (status line and headers, interim heads included) may take.
    static let maximumHeadSize = 80 * 1024
    private static let headTooLarge = InvalidResponse(reason: "too many header bytes: more than \(maximumHeadSize / 1024) KiB")
    /// The longest chunk-size line (extensions included).
    static let maximumChunkLineSize = 4 * 1024

    private enum Chunked: Equatable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(seen: Int)
    }

    private enum Step: Equatable {
        case head(seen: Int)
        case length(remaining: Int)
        case chunked(Chunked)
        case untilClose
        case endPending
        case done
    }

    private let isResponseToHEAD: Bool
    private var step = Step.head(seen: 0)

    /// A parser for the response to one request; `isResponseToHEAD` means the response has no body.
    init(isResponseToHEAD: Bool) {
        self.isResponseToHEAD = isResponseToHEAD
    }

    /// Whether ``Event/end`` has been returned.
    var isComplete: Bool { step == .done }

    /// The next event that `buffer` holds, consuming its bytes; `nil` when more bytes are needed (an
    /// incomplete head or chunk line stays unread in `buffer`) or the response is complete.
    /// - Throws: ``InvalidResponse``.
    mutating func next(_ buffer: inout ByteBuffer) throws -> Event? {
        switch step {
        case .head(let seen):
            return try nextHead(&buffer, seen: seen)
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

    private mutating func nextHead(_ buffer: inout ByteBuffer, seen: Int) throws -> Event? {
        while true {
            let parsed = try buffer.withUnsafeReadableBytes { try Self.parseHead($0) }
            guard let (head, length, framing) = parsed else {
                if seen + buffer.readableBytes > Self.maximumHeadSize {
                    throw Self.headTooLarge
                }
                return nil
            }
            buffer.moveReaderIndex(forwardBy: length)
            if head.code < 200 && head.code != 101 {
                // An interim answer (100 Continue, 103 Early Hints): the final head follows.
                let total = seen + length
                guard total <= Self.maximumHeadSize else {
                    throw Self.headTooLarge
                }
                step = .head(seen: total)
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
            if head.code == 101 { final.isKeepAlive = false }  // switching protocols: the connection is not HTTP any more
            return .head(final)
        }
    }

    private enum Framing {
        case empty
        case length(Int)
        case chunked
        case untilClose
    }

    /// Parses a complete head at the start of `bytes`: the head, its length, and how its body is framed
    /// (before the request method is considered); `nil` if the head is not complete yet.
    private static func parseHead(_ bytes: UnsafeRawBufferPointer) throws -> (Head, Int, Framing)? {
        var lines = LineReader(bytes: bytes)
        guard let statusLine = lines.next() else { return nil }
        var head = try parseStatusLine(bytes, statusLine)
        var contentLength: Int?
        var hasTransferEncoding = false
        var isChunked = false
        var connectionClose = false
        var connectionKeepAlive = false
        while true {
            guard let line = lines.next() else { return nil }
            if line.isEmpty { break }
            let first = bytes[line.lowerBound]
            if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { continue }  // obsolete line folding
            guard let colon = bytes[line].firstIndex(of: UInt8(ascii: ":")), colon > line.lowerBound else {
                throw InvalidResponse(reason: "malformed header line")
            }
            let name = line.lowerBound..<colon
            let value = trimmed(bytes, colon + 1..<line.upperBound)
            if equalsIgnoringCase(bytes, name, "content-length") {
                guard let length = parseDecimal(bytes, value) else { throw InvalidResponse(reason: "invalid Content-Length") }
                if let contentLength, contentLength != length { throw InvalidResponse(reason: "conflicting Content-Length headers") }
                contentLength = length
            } else if equalsIgnoringCase(bytes, name, "transfer-encoding") {
                hasTransferEncoding = true
                forEachToken(bytes, value) { isChunked = equalsIgnoringCase(bytes, $0, "chunked") }
            } else if equalsIgnoringCase(bytes, name, "connection") {
                forEachToken(bytes, value) { token in
                    if equalsIgnoringCase(bytes, token, "close") { connectionClose = true }
                    if equalsIgnoringCase(bytes, token, "keep-alive") { connectionKeepAlive = true }
                }
            } else if equalsIgnoringCase(bytes, name, "location") {
                head.location = String(decoding: bytes[value], as: UTF8.self)
            }
        }
        head.isKeepAlive = !connectionClose && (head.minorVersion >= 1 || connectionKeepAlive)
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
        return (head, lines.position, framing)
    }

    /// `HTTP/1.x SP 3DIGIT [SP reason]`.
    private static func parseStatusLine(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) throws -> Head {
        let text = bytes[line]
        let prefix = Array("HTTP/".utf8)
        guard text.count >= 12, text.starts(with: prefix) else { throw InvalidResponse(reason: "not an HTTP status line") }
        let start = line.lowerBound
        let major = bytes[start + 5]
        let minor = bytes[start + 7]
        guard isDigit(major), bytes[start + 6] == UInt8(ascii: "."), isDigit(minor), bytes[start + 8] == UInt8(ascii: " ") else {
            throw InvalidResponse(reason: "not an HTTP status line")
        }
        guard major == UInt8(ascii: "1") else { throw InvalidResponse(reason: "unsupported HTTP version") }
        let digits = start + 9..<start + 12
        guard bytes[digits].allSatisfy(isDigit), let code = parseDecimal(bytes, digits), code >= 100 else {
            throw InvalidResponse(reason: "invalid status code")
        }
        guard line.upperBound == digits.upperBound || bytes[digits.upperBound] == UInt8(ascii: " ") else {
            throw InvalidResponse(reason: "invalid status code")
        }
        var head = Head()
        head.minorVersion = Int(minor - UInt8(ascii: "0"))
        head.code = code
        if line.upperBound > digits.upperBound {
            head.reason = String(decoding: bytes[(digits.upperBound + 1)..<line.upperBound], as: UTF8.self)
        }
        return head
    }

    // MARK: Chunked bodies

    private mutating func nextChunked(_ buffer: inout ByteBuffer, _ state: Chunked) throws -> Event? {
        var state = state
        while true {
            switch state {
            case .size:
                guard let (size, length) = try buffer.withUnsafeReadableBytes({ try Self.parseChunkSize($0) }) else {
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
                let ending = buffer.withUnsafeReadableBytes { bytes -> Int? in
                    guard let first = bytes.first else { return nil }
                    if first == UInt8(ascii: "\n") { return 1 }
                    guard first == UInt8(ascii: "\r") else { return -1 }
                    guard bytes.count >= 2 else { return nil }
                    return bytes[1] == UInt8(ascii: "\n") ? 2 : -1
                }
                guard let ending else {
                    step = .chunked(.dataEnd)
                    return nil
                }
                guard ending > 0 else { throw InvalidResponse(reason: "malformed chunk") }
                buffer.moveReaderIndex(forwardBy: ending)
                state = .size
            case .trailers(let seen):
                // Trailer fields are read and ignored, up to the empty line that ends the message.
                let line = buffer.withUnsafeReadableBytes { bytes -> (isEmpty: Bool, length: Int)? in
                    var lines = LineReader(bytes: bytes)
                    return lines.next().map { ($0.isEmpty, lines.position) }
                }
                let total = seen + (line?.length ?? buffer.readableBytes)
                guard total <= Self.maximumHeadSize else {
                    throw InvalidResponse(reason: "too many trailer bytes: more than \(Self.maximumHeadSize / 1024) KiB")
                }
                guard let line else {
                    step = .chunked(.trailers(seen: seen))
                    return nil
                }
                buffer.moveReaderIndex(forwardBy: line.length)
                if line.isEmpty {
                    step = .done
                    return .end
                }
                state = .trailers(seen: total)
            }
        }
    }

    /// `1*HEXDIG [; extensions] CRLF`: the size and the line's length; `nil` if the line is incomplete.
    private static func parseChunkSize(_ bytes: UnsafeRawBufferPointer) throws -> (Int, Int)? {
        var lines = LineReader(bytes: bytes)
        guard let line = lines.next() else {
            if bytes.count > maximumChunkLineSize { throw InvalidResponse(reason: "chunk size line too long") }
            return nil
        }
        var size = 0
        var digits = 0
        for index in line {
            let byte = bytes[index]
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                guard digits > 0 else { throw InvalidResponse(reason: "malformed chunk size") }
                return (size, lines.position)
            default:
                throw InvalidResponse(reason: "malformed chunk size")
            }
            digits += 1
            guard digits <= 15 else { throw InvalidResponse(reason: "chunk too large") }
            size = size * 16 + value
        }
        guard digits > 0 else { throw InvalidResponse(reason: "malformed chunk size") }
        return (size, lines.position)
    }

    // MARK: Bytes

    /// Splits bytes into lines ended by LF (a CR before it is dropped).
    private struct LineReader {
        let bytes: UnsafeRawBufferPointer
        /// Where the next line starts.
        var position = 0

        mutating func next() -> Range<Int>? {
            guard let newline = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            var end = newline
            if end > position && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            defer { position = newline + 1 }
            return position..<end
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// A non-negative decimal of at most 18 digits.
    private static func parseDecimal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for index in range {
            guard isDigit(bytes[index]) else { return nil }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
        }
        return value
    }

    /// Calls `body` with each comma-separated token in `range`, trimmed (the last call gets the last token).
    private static func forEachToken(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        while start <= range.upperBound {
            let end = bytes[start..<range.upperBound].firstIndex(of: UInt8(ascii: ",")) ?? range.upperBound
            body(trimmed(bytes, start..<end))
            start = end + 1
        }
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == UInt8(ascii: " ") || bytes[lower] == UInt8(ascii: "\t") { lower += 1 }
        while upper > lower, bytes[upper - 1] == UInt8(ascii: " ") || bytes[upper - 1] == UInt8(ascii: "\t") { upper -= 1 }
        return lower..<upper
    }

    /// Whether the bytes in `range` spell `lowercased` (ASCII), ignoring case.
    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercased: StaticString) -> Bool {
        guard range.count == lowercased.utf8CodeUnitCount else { return false }
        return lowercased.withUTF8Buffer { expected in
            var index = range.lowerBound
            for byte in expected {
                guard bytes[index] | 0x20 == byte else { return false }
                index += 1
            }
            return true
        }
    }
}
