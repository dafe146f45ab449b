/// A server's carriers by index, held so that the poll thread calls them without a retain.
///
/// A call through an element of an array of existentials retains and releases the carrier
/// (about 41 instructions, once per carrier per poll round and once per frame sent): the
/// compiler cannot tell that nothing replaces the element during the call. A call through a
/// `let` stored property borrows it instead. A server has one or two carriers (shared memory
/// and TCP; three in some tests), so the first two are `let` properties of their own and the
/// rest an array, whose calls still retain.
struct ServerCarriers {
    /// Carrier 0, when there is one.
    private let first: (any ServerCarrier)?
    /// Carrier 1, when there is one.
    private let second: (any ServerCarrier)?
    /// Carriers 2 and beyond.
    private let others: [any ServerCarrier]
    /// How many carriers there are; they are numbered `0 ..< count`.
    let count: Int

    init(_ carriers: [any ServerCarrier]) {
        first = carriers.first
        second = carriers.count > 1 ? carriers[1] : nil
        others = Array(carriers.dropFirst(2))
        count = carriers.count
    }

    /// Polls carrier `index` (see ``ServerCarrier/poll(limit:_:)``). Its own switch, not
    /// ``with(_:_:)``: a handler made inside `with`'s closure was reached through one more
    /// thunk per event.
    @inline(__always)
    func poll(_ index: Int, limit: Int, _ handler: (CarrierEvent) -> Void) -> Int {
        switch index {
        case 0: first!.poll(limit: limit, handler)
        case 1: second!.poll(limit: limit, handler)
        default: others[index - 2].poll(limit: limit, handler)
        }
    }

    /// Calls `body` with carrier `index` (`0 ..< count`), borrowed: no reference count is
    /// touched for the first two. Inlined, so that `body` is too.
    @inline(__always)
    func with<Result>(_ index: Int, _ body: (any ServerCarrier) -> Result) -> Result {
        switch index {
        case 0: body(first!)
        case 1: body(second!)
        default: body(others[index - 2])
        }
    }
}
