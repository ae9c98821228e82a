import LeanHTTP
import URLPollCore

extension LeanHTTP.IPVersion {
    /// The lean client's form of a URL's `ip-version`.
    package init(_ version: URLPollCore.IPVersion) {
        switch version {
        case .any: self = .any
        case .v4: self = .v4
        case .v6: self = .v6
        }
    }
}
