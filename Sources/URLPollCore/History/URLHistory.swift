/// What the history adds to one URL's detail (`/api/urls/{id}`): its uptime, the latency of its
/// stored results over the last 24 hours, and its recent outages.
public struct URLHistory: Sendable {
    public var uptime: Uptime?
    public var latency: (p50: Duration, p95: Duration)?
    public var incidents: [Incident] = []

    public init(uptime: Uptime? = nil, latency: (p50: Duration, p95: Duration)? = nil, incidents: [Incident] = []) {
        self.uptime = uptime
        self.latency = latency
        self.incidents = incidents
    }
}
