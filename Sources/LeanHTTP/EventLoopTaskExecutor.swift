import NIOCore

/// Runs the jobs of the tasks that prefer it on one SwiftNIO event loop.
///
/// A task that prefers the event loop its connections live on never changes threads during a request:
/// its request is written, and its response resumes it, on that loop; the actors it calls (which have
/// no executor of their own) run there too when they are free. Thread-safe: the loop takes jobs from
/// any thread.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    /// An executor for `eventLoop`'s thread; the loop must not be shut down while tasks prefer it.
    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
