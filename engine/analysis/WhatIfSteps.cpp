#include "analysis/WhatIfSteps.h"

#include <algorithm>
#include <utility>

namespace poolscope {

WhatIfSteps::WhatIfSteps(Buffers buffers, std::span<const WhatIfRelease> releases,
                         std::uint64_t chunkBytes)
    : buffers_(std::move(buffers)), releases_(releases), chunkBytes_(chunkBytes) {}

void WhatIfSteps::next(std::vector<WhatIfStep>& steps, std::size_t most) {
    steps.clear();
    // Sequences are unique (a step is one event); ties of a damaged list go to releases, then
    // makings.
    while (steps.size() < most) {
        if (fed_ && at_ == chunk_.size()) {
            refill(most);
        }
        const bool madeLeft = at_ < chunk_.size();
        const bool releaseLeft = release_ < releases_.size();
        const bool freedLeft = !frees_.empty();
        const std::int64_t releaseAt = releaseLeft ? releases_[release_].sequence : 0;
        const std::int64_t madeAt = madeLeft ? chunk_[at_].madeSequence : 0;
        const std::int64_t freedAt = freedLeft ? frees_.nextSequence() : 0;
        if (releaseLeft && (!madeLeft || releaseAt <= madeAt) &&
            (!freedLeft || releaseAt <= freedAt)) {
            WhatIfStep& step = steps.emplace_back();
            step.kind = WhatIfStep::Kind::Release;
            step.nanoseconds = releases_[release_++].nanoseconds;
            continue;
        }
        if (!madeLeft && !freedLeft) {
            return;
        }
        if (!madeLeft || (freedLeft && freedAt < madeAt)) {
            const std::uint32_t slot = frees_.take();
            WhatIfStep& step = steps.emplace_back();
            step.kind = WhatIfStep::Kind::Free;
            step.slot = slot;
            step.nanoseconds = freedNanoseconds_[slot];
            freeSlots_.push_back(slot);
            continue;
        }
        const WhatIfBuffer& request = chunk_[at_];
        const std::uint32_t slot = takeSlot();
        WhatIfStep& step = steps.emplace_back();
        step.kind = WhatIfStep::Kind::Make;
        step.slot = slot;
        step.site = chunkSites_[at_++];
        step.nanoseconds = request.madeNanoseconds;
        step.bytes = request.bytes;
        step.pieces = request.pieces;
        step.chunks =
            request.poolChunks > 0
                ? request.poolChunks
                : std::max<std::uint64_t>(1, (request.bytes + chunkBytes_ - 1) / chunkBytes_);
        if (request.freedSequence < 0) {
            continue;
        }
        // A buffer freed before the next making, the next release and every free pending (a
        // third of a large program's buffers) is freed next: at once, without a wait among
        // the pending.
        if (steps.size() < most && at_ < chunk_.size() &&
            request.freedSequence < chunk_[at_].madeSequence &&
            (release_ == releases_.size() ||
             request.freedSequence < releases_[release_].sequence) &&
            frees_.freesFirst(request.freedSequence)) {
            frees_.freedNow(request.freedSequence);
            WhatIfStep& free = steps.emplace_back();
            free.kind = WhatIfStep::Kind::Free;
            free.slot = slot;
            free.nanoseconds = request.freedNanoseconds;
            freeSlots_.push_back(slot);
            continue;
        }
        freedNanoseconds_[slot] = request.freedNanoseconds;
        frees_.add(request.freedSequence, slot);
    }
}

void WhatIfSteps::refill(std::size_t most) {
    buffers_(chunk_, most);
    at_ = 0;
    fed_ = !chunk_.empty();
    chunkSites_.resize(chunk_.size());
    for (std::size_t i = 0; i < chunk_.size(); ++i) {
        const auto [site, added] = siteIndex_.indexOf(chunk_[i].stackId);
        if (added) {
            siteStacks_.push_back(chunk_[i].stackId);
        }
        chunkSites_[i] = site;
    }
}

std::uint32_t WhatIfSteps::takeSlot() {
    if (freeSlots_.empty()) {
        freedNanoseconds_.emplace_back();
        return static_cast<std::uint32_t>(freedNanoseconds_.size() - 1);
    }
    const std::uint32_t slot = freeSlots_.back();
    freeSlots_.pop_back();
    return slot;
}

}  // namespace poolscope
