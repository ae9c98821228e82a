/// The HTTP clients urlpoll can poll with.
package enum HTTPClientChoice: String, CaseIterable, Sendable {
    /// urlpoll's lean HTTP/1.1 client on SwiftNIO (`NIOProbe`): the default.
    case nio
    /// async-http-client's shared pool (`AsyncHTTPClientProbe`).
    case asyncHTTPClient = "async-http-client"
}
