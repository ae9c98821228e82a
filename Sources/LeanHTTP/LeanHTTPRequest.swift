/// One HTTP/1.1 request for ``LeanHTTPSession/send(_:deadline:)``: where, how, with what body, and how
/// much of the answer to keep.
public struct LeanHTTPRequest: Sendable {
    /// The request methods the client sends.
    public enum Method: String, Sendable {
        case head = "HEAD"
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case patch = "PATCH"
        case options = "OPTIONS"
    }

    /// One request header. Names and values are sent as given: the caller has checked that they hold
    /// no line break.
    public struct Header: Sendable, Equatable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// An `http` or `https` URL with a host.
    public var url: String
    public var method: Method
    /// Extra headers; a `Host` or `User-Agent` here replaces the client's own.
    public var headers: [Header]
    /// Bounds connecting to the host: TCP and the TLS handshake.
    public var connectTimeout: Duration
    /// Body bytes to keep; 0 keeps none (the body is then skipped, or the connection closed).
    public var bodyLimit: Int
    /// The longest body skipped (read without keeping) to reuse the connection when none is kept; a
    /// longer one is cut off by closing the connection.
    public var drainLimit: Int
    /// Whether an https server's certificate is accepted without verification.
    public var skipsCertificateVerification: Bool
    /// The request body, sent with its `Content-Length` (POST, PUT and PATCH always send one, empty if
    /// `nil`); its `Content-Type` is one of ``headers``.
    public var body: [UInt8]?
    /// Whether the request may use (and leave behind) a kept-alive connection. `false` opens a new one
    /// (DNS, connect and the TLS handshake every time), sends `Connection: close` and closes it after.
    public var reusesConnection: Bool
    /// TLS beyond the client's defaults; when set, it decides verification (``skipsCertificateVerification``
    /// is ignored).
    public var tls: TLSProfile?
    /// Which of the host's addresses a new connection may use.
    public var ipVersion: IPVersion

    public init(
        url: String,
        method: Method = .head,
        headers: [Header] = [],
        connectTimeout: Duration = .seconds(5),
        bodyLimit: Int = 0,
        drainLimit: Int = 64 * 1024,
        skipsCertificateVerification: Bool = false,
        tls: TLSProfile? = nil,
        reusesConnection: Bool = true,
        body: [UInt8]? = nil,
        ipVersion: IPVersion = .any
    ) {
        self.ipVersion = ipVersion
        self.body = body
        self.tls = tls
        self.reusesConnection = reusesConnection
        self.url = url
        self.method = method
        self.headers = headers
        self.connectTimeout = connectTimeout
        self.bodyLimit = bodyLimit
        self.drainLimit = drainLimit
        self.skipsCertificateVerification = skipsCertificateVerification
    }
}
