import Frames
import LWWSet

extension Selection {
    /// Calls `append` with each entry's member bytes and score, highest first, stopping at
    /// the first error (a full response buffer).
    func forEachRecord(_ append: (UnsafeRawBufferPointer, Double) throws(TimelineCodecError) -> Void) throws(TimelineCodecError) {
        // An index loop: a collection's iterator allocates in a debug build.
        for position in 0 ..< count {
            let entry = self[position]
            try entry.member.withUnsafeBytes { member in
                Result { () throws(TimelineCodecError) in try append(member, entry.score) }
            }.get()
        }
    }
}
