#include "models/AllocationDiff.h"

namespace poolscope {

namespace {

// The rows of `after` whose ids `before` does not hold. Both tables are sorted by id, so one
// merge pass finds them.
std::shared_ptr<const AllocationTable> allocationsNewSince(const AllocationTable& before,
                                                           const AllocationTable& after) {
    auto diff = std::make_shared<AllocationTable>();
    diff->timeNanoseconds = after.timeNanoseconds;
    auto old = before.rows.begin();
    for (const LiveAllocation& row : after.rows) {
        while (old != before.rows.end() && old->id < row.id) {
            ++old;
        }
        if (old != before.rows.end() && old->id == row.id) {
            continue;
        }
        LiveAllocation copy = row;
        copy.firstChunk = static_cast<std::uint32_t>(diff->chunks.size());
        diff->chunks.insert(diff->chunks.end(), after.chunks.begin() + row.firstChunk,
                            after.chunks.begin() + row.firstChunk + row.chunkCount);
        diff->rows.push_back(copy);
    }
    return diff;
}

}  // namespace

AllocationDiff::AllocationDiff(const AllocationTable& before, const AllocationTable& after)
    : new_(allocationsNewSince(before, after)) {
    for (const LiveAllocation& row : new_->rows) {
        newBytes_ += row.bytes;
    }
    for (const LiveAllocation& row : before.rows) {
        freedCount_ += after.find(row.id) == nullptr ? 1 : 0;
    }
}

}  // namespace poolscope
