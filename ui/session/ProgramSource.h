#pragma once

#include <QString>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "diagnostics/MemoryEvent.h"
#include "link/LinkProtocol.h"

namespace poolscope {

class LinkStackTable;

// Another program whose events the session shows: one attached over the live link
// (LinkProgramSource) or one the session launched under the interposer (LaunchedProgramSource).
// The ingestor reads both through this, in one way: what differs is said here.
class ProgramSource {
public:
    virtual ~ProgramSource() = default;

    // Who it is, for the person: its name and pid.
    virtual QString description() const = 0;
    // What its recording says about it.
    virtual std::vector<std::pair<std::string, std::string>> metadata() const = 0;
    // Its event clock when the session began to show it: the timeline counts from there.
    virtual std::int64_t originNanoseconds() const = 0;
    // Its event clock now; once it ended, the time it ended at.
    virtual std::int64_t nowNanoseconds() const = 0;
    virtual std::shared_ptr<const LinkStackTable> stacks() const = 0;

    // Pools it announced since the last call.
    virtual std::vector<LinkPool> takePools() = 0;
    // Appends the events that arrived since the last call.
    virtual void drain(std::vector<MemoryEvent>& out) = 0;
    // Events lost on the way, counted wherever they were lost.
    virtual std::uint64_t droppedEvents() const = 0;
    // The allocations its owners have not disposed of, as it counts them; 0 where nothing does.
    virtual std::int64_t undisposedAllocations() const = 0;
    // The paths of its open descriptors, by the allocation id their events carry; empty for a
    // program that does not say.
    virtual std::unordered_map<AllocationId, QString> descriptorPaths() const = 0;

    // The program is gone, detached or its stream ended; what arrived before stays to drain.
    virtual bool ended() const = 0;
    virtual QString endReason() const = 0;
    // Stops showing it. An attached program goes on running; a launched one is ended.
    virtual void leave() = 0;
};

}  // namespace poolscope
