import Testing

/// Every Harness test, one at a time: descriptor counts are process-wide, and the child
/// tests' pipes would show up in them.
@Suite(.serialized)
struct HarnessTests {}
