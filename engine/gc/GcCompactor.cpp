#include "gc/GcCompactor.h"

#include <algorithm>
#include <cstring>

namespace poolscope {

GcCompactor::GcCompactor(GcHeapState& state, const GcCondemnedRange& condemned)
    : state_(state), condemned_(condemned) {}

CompactionResult GcCompactor::compact() {
    const CompactionPlan planned = plan();
    fixUp(planned);
    CompactionResult result = move(planned);
    if (condemned_.generation == 2) {
        sweepLargeObjects(result);
    }
    return result;
}

CompactionPlan GcCompactor::plan() {
    // In address order, each survivor slides to the lowest free address after the previous
    // one, so generations stay in bands and a boundary is simply where the destination stood
    // when the walk crossed it. A pinned survivor keeps its address; the space below it that
    // sliding cannot reach becomes a gap, and later survivors of the same band that fit are
    // placed into the gaps first (first fit), as .NET allocates into the free space around
    // pinned plugs. Gaps close when the walk crosses into generation 0, whose survivors form
    // a younger band than everything below: filling an older band's gap would over-promote.
    const GcSmallObjectHeap& heap = state_.smallObjects;
    std::byte* const oldGen0Start = heap.gen0Start();
    std::byte* const oldGen1Start = heap.gen1Start();
    CompactionPlan plan;
    std::byte* destination = condemned_.start;
    plan.newGen1Start = condemned_.generation == 0 ? oldGen1Start : nullptr;
    std::size_t firstOpenGap = 0;  // gaps before this index belong to an older band
    for (std::byte* at = condemned_.start; at < heap.top();) {
        if (plan.newGen1Start == nullptr && at >= oldGen0Start) {
            plan.newGen1Start = destination;
            firstOpenGap = plan.gaps.size();
        }
        auto* object = reinterpret_cast<GcObjectHeader*>(at);
        const std::uint64_t size = object->walkSize();
        if (!object->isFree() && object->has(GcObjectHeader::Marked)) {
            if (object->has(GcObjectHeader::PinnedDuringGc)) {
                if (at > destination) {
                    plan.gaps.push_back(CompactionPlan::Gap{destination, at});
                }
                object->forwardingAddress = reinterpret_cast<std::uintptr_t>(at);
                destination = at + size;
            } else {
                const auto roomIn = [](const CompactionPlan::Gap& gap) {
                    return static_cast<std::uint64_t>(gap.end - gap.fill);
                };
                // Full gaps at the front are passed for good: nothing smaller than an object
                // header would fit into them.
                while (firstOpenGap < plan.gaps.size() &&
                       roomIn(plan.gaps[firstOpenGap]) < kMinObjectBytes) {
                    ++firstOpenGap;
                }
                const auto fits = std::find_if(
                    plan.gaps.begin() + static_cast<std::ptrdiff_t>(firstOpenGap), plan.gaps.end(),
                    [&](const CompactionPlan::Gap& gap) { return roomIn(gap) >= size; });
                if (fits != plan.gaps.end()) {
                    object->forwardingAddress = reinterpret_cast<std::uintptr_t>(fits->fill);
                    fits->fill += size;
                } else {
                    object->forwardingAddress = reinterpret_cast<std::uintptr_t>(destination);
                    destination += size;
                }
            }
            // Every survivor but an old generation 2 object changes generation.
            if (at >= oldGen1Start) {
                plan.promotedBytes += size;
            }
            plan.survivors.push_back(object);
        } else if (!object->isFree()) {
            plan.freedBytes += size;
        }
        at += size;
    }
    if (plan.newGen1Start == nullptr) {
        plan.newGen1Start = destination;
    }
    plan.newTop = destination;
    return plan;
}

void GcCompactor::fixUp(const CompactionPlan& plan) {
    const auto fix = [&](GcObjectHeader*& reference, std::size_t) {
        reference = condemned_.forwarded(reference);
    };
    for (GcObjectHeader* object : plan.survivors) {
        state_.forEachReferenceSlot(object, fix);
    }
    if (condemned_.generation < 2) {
        // By the write barrier's invariant, only remembered objects outside the condemned
        // range can point into it.
        for (GcObjectHeader* holder : state_.rememberedSet) {
            if (!condemned_.contains(holder)) {
                state_.forEachReferenceSlot(holder, fix);
            }
        }
    } else {
        state_.largeObjects.forEachBlock([&](GcObjectHeader* object) {
            if (!object->isFree() && object->has(GcObjectHeader::Marked)) {
                state_.forEachReferenceSlot(object, fix);
            }
        });
    }
    state_.handles.forEachInUse(
        [&](GcHandleTable::Slot& slot, std::uint32_t) { fix(slot.target, 0); });
    for (GcHeapState::StaticSlot& slot : state_.statics) {
        fix(slot.target, 0);
    }
    for (GcObjectHeader*& object : state_.fReachableQueue) {
        fix(object, 0);
    }
    for (GcObjectHeader*& object : state_.finalizationQueue) {
        fix(object, 0);
    }
}

CompactionResult GcCompactor::move(const CompactionPlan& plan) {
    // Destinations never pass their sources, so a forward walk with memmove never overwrites
    // an object it has yet to move: a slide lands below its source, and a gap lies below the
    // pinned object that opened it, while every survivor placed into it comes from above that
    // pin, after the gap's own former occupants have moved out.
    CompactionResult result;
    result.promotedBytes = plan.promotedBytes;
    result.freedBytes = plan.freedBytes;
    result.survivors.reserve(plan.survivors.size());
    for (GcObjectHeader* object : plan.survivors) {
        auto* to = reinterpret_cast<GcObjectHeader*>(object->forwardingAddress);
        const std::uint64_t size = object->sizeBytes;
        object->clear(GcObjectHeader::Marked);
        object->clear(GcObjectHeader::PinnedDuringGc);
        object->noteSurvival();
        if (to != object) {
            std::memmove(to, object, size);
            result.movedObjects += 1;
            result.movedBytes += size;
            result.moves.push_back(
                {reinterpret_cast<std::uintptr_t>(object), reinterpret_cast<std::uintptr_t>(to)});
        }
        result.survivors.push_back(to);
    }
    for (const CompactionPlan::Gap& gap : plan.gaps) {
        writeFiller(gap.fill, static_cast<std::uint64_t>(gap.end - gap.fill));
    }
    // Keep a budget's worth of pages for the next allocations; give the rest back.
    state_.smallObjects.setCompacted(plan.newGen1Start, plan.newTop,
                                     state_.settings.gen0BudgetBytes);
    return result;
}

void GcCompactor::sweepLargeObjects(CompactionResult& result) {
    result.freedBytes += state_.largeObjects.sweep([&](GcObjectHeader* object) {
        if (!object->has(GcObjectHeader::Marked)) {
            return false;
        }
        object->clear(GcObjectHeader::Marked);
        object->noteSurvival();
        result.survivors.push_back(object);
        return true;
    });
}

}  // namespace poolscope
