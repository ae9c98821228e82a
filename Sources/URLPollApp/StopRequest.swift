import ServiceLifecycle

/// A service that ends the run gracefully when its stream yields (or ends): a shutdown signal that a
/// test can send.
struct StopRequest: Service {
    let requests: AsyncStream<Void>

    func run() async {
        for await _ in requests.cancelOnGracefulShutdown() { return }
    }
}
