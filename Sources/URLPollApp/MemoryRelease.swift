import CMallocTrim

/// Hands the heap's free memory back to the operating system.
///
/// Loading a configuration (a YAML tree of every URL, the decoded entries, the URL list) takes megabytes
/// for a moment at 100,000 URLs; glibc's allocator keeps such freed memory for later, so without this the
/// resident size would stay at the high-water mark of the largest reload ever made. Called after the
/// initial load and after each reload; a no-op where glibc is not the allocator.
enum MemoryRelease {
    static func releaseFreeMemory() {
        _ = urlpoll_malloc_trim()
    }
}
