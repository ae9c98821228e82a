import URLPollCore

/// The figures of the live instances sharing a database (``InstanceFigures``, as of each one's last
/// heartbeat) in the Prometheus text format, one series per instance labelled `instance` and
/// `location`: what any instance's `/metrics` adds, so that one scrape shows the whole fleet.
enum InstanceMetricsExposition {
    private struct Family: Sendable {
        let name: String
        let type: String
        let help: String
        let value: @Sendable (InstanceFigures) -> String?
    }

    private static let families = [
        Family(name: "urlpoll_instance_polls_total", type: "counter", help: "Polls made by each live instance sharing the database.") {
            "\($0.polls)"
        },
        Family(name: "urlpoll_instance_lateness_p99_seconds", type: "gauge", help: "The 99th percentile of each live instance's poll lateness.") {
            $0.latenessP99.map { "\($0.seconds)" }
        },
        Family(name: "urlpoll_instance_leases_held", type: "gauge", help: "URLs each live instance holds a lease on.") {
            "\($0.leasesHeld)"
        },
        Family(
            name: "urlpoll_instance_claim_round_trips_total",
            type: "counter",
            help: "Round trips of each live instance with the shared schedule."
        ) { "\($0.claimRoundTrips)" },
    ]

    static func render(_ instances: [InstanceInfo]) -> String {
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            for instance in instances {
                guard let value = family.value(instance.figures) else { continue }
                let labels =
                    "instance=\"\(URLMetricsExposition.escape(instance.name))\",location=\"\(URLMetricsExposition.escape(instance.location))\""
                text += "\(family.name){\(labels)} \(value)\n"
            }
        }
        return text
    }
}
