import Foundation

/// What the operating system says this process has used: CPU time and peak memory.
public struct ProcessUsage: Sendable, Equatable {
    /// User CPU time of all threads since the process started.
    public var userCPU: Duration
    /// System CPU time of all threads since the process started.
    public var systemCPU: Duration
    /// Peak resident memory of this program image (`VmHWM` in `/proc/self/status`), in KiB; 0 if unknown.
    public var peakResidentKiB: Int
    /// `getrusage`'s `ru_maxrss` in KiB (it carries over the peak of the image before `exec`).
    public var maxRSSKiB: Int

    public init(userCPU: Duration, systemCPU: Duration, peakResidentKiB: Int, maxRSSKiB: Int) {
        self.userCPU = userCPU
        self.systemCPU = systemCPU
        self.peakResidentKiB = peakResidentKiB
        self.maxRSSKiB = maxRSSKiB
    }

    /// Reads the figures now (`getrusage` and `/proc/self/status`).
    public static func current() -> ProcessUsage {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        func duration(_ time: timeval) -> Duration {
            .seconds(Int64(time.tv_sec)) + .microseconds(Int64(time.tv_usec))
        }
        return ProcessUsage(
            userCPU: duration(usage.ru_utime),
            systemCPU: duration(usage.ru_stime),
            peakResidentKiB: peakResident(fromProcStatus: (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""),
            maxRSSKiB: Int(usage.ru_maxrss)
        )
    }

    /// The `VmHWM` figure (KiB) of a `/proc/PID/status` text, or 0.
    static func peakResident(fromProcStatus text: String) -> Int {
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.dropFirst(6).split(whereSeparator: \.isWhitespace).first ?? "") ?? 0
        }
        return 0
    }
}
