extension LWWSet: Equatable {
    /// Whether two sets hold the same keys with the same visible entries and the same
    /// tombstones (member bytes and scores). The bound `maxSize` is not compared: two
    /// replicas with different bounds can hold equal contents.
    public static func == (lhs: LWWSet, rhs: LWWSet) -> Bool {
        guard lhs.keys.count == rhs.keys.count, lhs.entries == rhs.entries, lhs.tombstones == rhs.tombstones else {
            return false
        }
        for number in 0 ..< lhs.keys.count {
            let same = lhs.withKey(number) { key in
                guard let other = rhs.keyNumber(key) else { return false }
                let left = lhs.unsafeState(number)
                let right = rhs.unsafeState(other)
                return sameEntries(left.pointee.add, right.pointee.add, hasher: rhs.hasher)
                    && sameEntries(left.pointee.remove, right.pointee.remove, hasher: rhs.hasher)
            }
            if !same { return false }
        }
        return true
    }

    /// Whether `a` and `b` (hashed by `hasher`) hold the same members at the same scores.
    private static func sameEntries(_ a: borrowing ScoredSet, _ b: borrowing ScoredSet, hasher: ByteHasher) -> Bool {
        guard a.count == b.count else { return false }
        var same = true
        a.visitAscending { score, member in
            guard same else { return }
            guard let record = b.find(member, hash: hasher.hash(member)) else { same = false; return }
            same = b.score(of: record) == score
        }
        return same
    }
}
