#include "gc/GcLargeObjectHeap.h"

#include <cstring>
#include <vector>

namespace poolscope {

namespace {
// Free blocks smaller than this keep their pages: giving back a page or two costs more in
// faults on reuse than it saves.
constexpr std::uint64_t kDecommitThresholdBytes = 64 * 1024;
}  // namespace

GcLargeObjectHeap::GcLargeObjectHeap(std::size_t reserveBytes)
    : arena_(reserveBytes), top_(arena_.begin()) {}

GcObjectHeader* GcLargeObjectHeap::allocate(std::uint64_t bytes) {
    for (auto it = freeBlocks_.begin(); it != freeBlocks_.end(); ++it) {
        auto [address, size] = *it;
        if (size < bytes) {
            continue;
        }
        freeBlocks_.erase(it);
        freeBytes_ -= size;
        std::uint64_t taken = size;
        if (size - bytes >= kMinObjectBytes) {
            taken = bytes;
            writeFiller(address + bytes, size - bytes);
            freeBlocks_.emplace(address + bytes, size - bytes);
            freeBytes_ += size - bytes;
        }
        std::memset(address, 0, taken);
        auto* header = reinterpret_cast<GcObjectHeader*>(address);
        header->sizeBytes = taken;
        return header;
    }
    if (static_cast<std::uint64_t>(arena_.end() - top_) < bytes) {
        return nullptr;
    }
    // Fresh pages, or pages decommitted by a sweep, read as zero already.
    auto* header = reinterpret_cast<GcObjectHeader*>(top_);
    top_ += bytes;
    header->sizeBytes = bytes;
    return header;
}

std::uint64_t GcLargeObjectHeap::sweep(const std::function<bool(GcObjectHeader*)>& isLive) {
    std::uint64_t freed = 0;
    freeBlocks_.clear();
    freeBytes_ = 0;
    std::byte* runStart = nullptr;
    std::uint64_t runBytes = 0;
    const auto closeRun = [&] {
        if (runStart == nullptr) {
            return;
        }
        writeFiller(runStart, runBytes);
        if (runBytes >= kDecommitThresholdBytes) {
            arena_.decommit(runStart + sizeof(GcObjectHeader), runStart + runBytes);
        }
        freeBlocks_.emplace(runStart, runBytes);
        freeBytes_ += runBytes;
        runStart = nullptr;
        runBytes = 0;
    };
    for (std::byte* at = arena_.begin(); at < top_;) {
        auto* header = reinterpret_cast<GcObjectHeader*>(at);
        const std::uint64_t size = header->walkSize();
        const bool free = header->isFree();
        if (!free && isLive(header)) {
            closeRun();
        } else {
            if (!free) {
                freed += size;
            }
            if (runStart == nullptr) {
                runStart = at;
            }
            runBytes += size;
        }
        at += size;
    }
    // A free run at the end goes back to the bump pointer, so the LOH can shrink.
    if (runStart != nullptr) {
        if (runBytes >= kDecommitThresholdBytes) {
            arena_.decommit(runStart, top_);
        }
        top_ = runStart;
        runStart = nullptr;
    }
    return freed;
}

}  // namespace poolscope
