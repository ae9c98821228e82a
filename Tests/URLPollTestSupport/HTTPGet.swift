import AsyncHTTPClient
import Foundation
import NIOCore

/// GET requests from tests, through async-http-client's shared client.
enum HTTPGet {
    static func text(_ url: String) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 16 << 20))
    }

    /// Sends `body` with `method` and returns the status code.
    static func send(_ method: HTTPMethodName, _ url: String, json body: String) async throws -> UInt {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method.rawValue)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        return try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code
    }

    enum HTTPMethodName: String { case POST, PUT }
}
