/// Plain-data elements in memory the buffer allocates and frees itself, growing by doubling:
/// appending is a capacity check and a store, without the uniqueness check an array makes
/// at every append (a call, some 12 instructions under callgrind; the engine made two per
/// write of a flood, one for the message's bytes and one for the write).
///
/// Unsafe, as the name says: a copy shares the memory, so a copy must not be used once the
/// original has grown or been freed, and the memory is freed only by ``deallocate()``. The
/// engine keeps its buffers in its ``RequestQueue`` and ``WriteBatch``, in memory of their
/// own reached through pointers, reads copies only while nothing appends (during `apply`),
/// and frees them at deinit. Elements are plain data (no reference inside: checked when the
/// buffer is made), so they are never deinitialized.
struct UnsafeGrowableBuffer<Element> {
    /// The elements' memory (nil before the first append).
    private var base: UnsafeMutablePointer<Element>?
    /// The elements the memory holds.
    private var capacity = 0
    /// The elements in use.
    private(set) var count = 0

    /// An empty buffer; traps for an element type that is not plain data (`BitwiseCopyable`
    /// would say so at compile time, but a public type of another module, as the set's
    /// `BorrowedWrite`, cannot be declared so here).
    init() {
        precondition(_isPOD(Element.self), "UnsafeGrowableBuffer: \(Element.self) is not plain data")
    }

    /// Whether no element is in use.
    var isEmpty: Bool { count == 0 }

    /// The indices of the elements in use.
    var indices: Range<Int> { 0 ..< count }

    /// The element at `index` (in `indices`).
    subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count, "UnsafeGrowableBuffer: index out of range")
            return base.unsafelyUnwrapped[index]
        }
        set {
            precondition(index >= 0 && index < count, "UnsafeGrowableBuffer: index out of range")
            base.unsafelyUnwrapped[index] = newValue
        }
    }

    /// Appends `element`.
    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow(toHold: count + 1) }
        (base.unsafelyUnwrapped + count).initialize(to: element)
        count += 1
    }

    /// Counts `extra` more elements in, growing the memory when it is too small, and returns
    /// where they start: the caller writes them before anything reads them.
    @inline(__always)
    mutating func appendUninitialized(_ extra: Int) -> UnsafeMutablePointer<Element> {
        precondition(extra >= 0, "UnsafeGrowableBuffer: negative count")
        if capacity - count < extra { grow(toHold: count + extra) }
        let start = base.unsafelyUnwrapped + count
        count += extra
        return start
    }

    /// Forgets the elements from `count` on.
    mutating func truncate(to count: Int) {
        precondition(count >= 0 && count <= self.count, "UnsafeGrowableBuffer: truncated past its end")
        self.count = count
    }

    /// Forgets every element, keeping the memory.
    mutating func removeAll() { count = 0 }

    /// Calls `body` with the elements in use.
    func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Element>) -> Result) -> Result {
        body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Frees the memory; the buffer is empty afterwards.
    mutating func deallocate() {
        base?.deallocate()
        base = nil
        capacity = 0
        count = 0
    }

    /// Moves the elements to memory for at least `needed` of them (doubling, 64 at least).
    @inline(never)
    private mutating func grow(toHold needed: Int) {
        let newCapacity = Swift.max(needed, capacity * 2, 64)
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        if let base {
            newBase.initialize(from: base, count: count)
            base.deallocate()
        }
        base = newBase
        capacity = newCapacity
    }
}
