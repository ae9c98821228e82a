/// The keys of `--stats json` that the benchmark kit reads: the statistics test and the command line test both check them.
package enum StatsKeys {
    package static let benchmark = """
        polls ok errors elapsed_s polls_per_s p50_ms p90_ms p99_ms max_ms late_p50_ms late_p99_ms late_max_ms due_late_p50_ms \
        due_late_p99_ms due_late_max_ms first_round_s per_url_polls_min per_url_polls_max urls vm_hwm_kb max_rss_kb cpu_user_s \
        cpu_sys_s cpu_us_per_poll
        """.split(separator: " ").map(String.init)
}
