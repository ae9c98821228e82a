/// Which of a poll's configured headers follow a redirect: credentials stay with their origin, the way
/// browsers and async-http-client treat `Authorization`. Pure.
///
/// - Within one origin (same scheme, host and port) every header follows.
/// - Leaving the origin drops every sensitive header (``HeaderField/isSensitive``: `Authorization`,
///   `Proxy-Authorization`, `Cookie`, the names a URL lists in `sensitive-headers:`, and every header
///   whose value came from `${NAME}`), and a configured `Host` (it names the origin it was written for).
/// - From https to http, every configured header is dropped: nothing configured is sent in the clear.
///
/// The redirect loop applies this at every hop to what the previous hop sent, so a header dropped once
/// stays dropped for the rest of the chain, even if a later redirect leads back to the first origin
/// (A → B → A): the path at A was then chosen by B.
enum RedirectHeaders {
    static func forwarded(_ headers: [HeaderField], from: URLOrigin, to: URLOrigin) -> [HeaderField] {
        guard !headers.isEmpty, from != to else { return headers }
        if from.isTLS && !to.isTLS { return [] }
        return headers.filter { !$0.isSensitive && !$0.is("host") }
    }
}
