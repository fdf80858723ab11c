// What both e2e modes share.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';
// The apps a suite boots share this jest worker's memory with each other and with ts-jest (the health suite alone ends
// near 900 MB of heap, in a worker that may start near 1 GB), so the memory probes would measure the harness, not an
// app: they stay out of the way unless a test sets a threshold to exercise them.
process.env.HEALTH_HEAP_MAX_MB ??= '65536';
process.env.HEALTH_RSS_MAX_MB ??= '65536';
