#include "HeadlessRun.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <iomanip>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "CommandLine.h"
#include "base/TextFormat.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "memory/PooledMemoryAllocator.h"

namespace poolscope {

namespace {

constexpr int kLabelWidth = 26;

void printFigure(std::ostream& out, const std::string& label, const std::string& value) {
    out << "  " << std::left << std::setw(kLabelWidth) << label << value << '\n';
}

template <class Number>
void printCount(std::ostream& out, const std::string& label, Number value) {
    printFigure(out, label, std::to_string(value));
}

std::uint64_t unpooledBytesLive(std::uint16_t sourceId) {
    std::uint64_t bytes = 0;
    for (const AllocationInfo& allocation : MemoryDiagnostics::liveAllocations()) {
        if (allocation.sourceId == sourceId && allocation.tier == MemoryTier::Unpooled) {
            bytes += allocation.bytes;
        }
    }
    return bytes;
}

std::string tagsOf(const LeakGroup& group) {
    std::set<std::string> names;
    for (const AllocationInfo& allocation : group.allocations) {
        const std::string name = MemoryDiagnostics::tagName(allocation.tagId);
        names.insert(name.empty() ? "(none)" : name);
    }
    std::string text;
    for (const std::string& name : names) {
        text += (text.empty() ? "" : ", ") + name;
    }
    return text;
}

void printWorkload(std::ostream& out, const WorkloadSummary& summary) {
    out << "Workload\n";
    printFigure(out, "Iterations",
                std::to_string(summary.iterationsCompleted) + " of " +
                    std::to_string(summary.iterationsPlanned));
    printCount(out, "Allocations", summary.allocations);
    printCount(out, "  image groups", summary.groupAllocations);
    printCount(out, "  contiguous images", summary.contiguousAllocations);
    printCount(out, "  small buffers", summary.smallAllocations);
    printCount(out, "  unpooled", summary.unpooledAllocations);
    printFigure(out, "Bytes allocated", formatBytes(summary.bytesAllocated));
    printCount(out, "Peak rented chunks", summary.peakRentedChunks);
    std::ostringstream elapsed;
    elapsed << std::fixed << std::setprecision(3)
            << std::chrono::duration<double>(summary.elapsed).count() << " s";
    printFigure(out, "Elapsed", elapsed.str());
}

void printPool(std::ostream& out, const PooledMemoryAllocator& allocator) {
    const UniformChunkPool::Stats stats = allocator.pool().stats();
    out << "Pool\n";
    printFigure(out, "Capacity",
                std::to_string(stats.capacity) + " chunks of " +
                    formatBytes(allocator.pool().chunkBytes()));
    printCount(out, "Rented chunks", stats.rented);
    printCount(out, "Retained chunks", stats.retained);
    printCount(out, "Empty slots", stats.capacity - stats.rented - stats.retained);
    printCount(out, "Slots created", stats.slotsCreated);
    printFigure(out, "Unpooled bytes live", formatBytes(unpooledBytesLive(allocator.sourceId())));
}

void printLeaks(std::ostream& out, const std::vector<LeakGroup>& leaks) {
    std::int64_t count = 0;
    std::uint64_t bytes = 0;
    for (const LeakGroup& group : leaks) {
        count += group.count;
        bytes += group.bytes;
    }
    if (leaks.empty()) {
        printFigure(out, "Leak checkpoint", "clean: nothing the workload allocated is still live");
        return;
    }
    printFigure(out, "Leak checkpoint",
                std::to_string(count) + " allocations (" + formatBytes(bytes) +
                    ") still live, from " + std::to_string(leaks.size()) +
                    (leaks.size() == 1 ? " stack" : " stacks"));
    const std::size_t shown = std::min<std::size_t>(leaks.size(), HeadlessRun::kReportedLeakStacks);
    for (std::size_t i = 0; i < shown; ++i) {
        const LeakGroup& group = leaks[i];
        out << "\nLeak " << i + 1 << " of " << leaks.size() << ": " << group.count
            << (group.count == 1 ? " allocation, " : " allocations, ") << formatBytes(group.bytes)
            << ", tag " << tagsOf(group) << '\n';
        const std::string stack =
            group.stackId != 0
                ? MemoryDiagnostics::formatStack(group.stackId, HeadlessRun::kFramesPerStack)
                : std::string();
        out << (stack.empty() ? "  (no stack was captured)\n" : stack);
    }
    if (shown < leaks.size()) {
        out << "\n" << leaks.size() - shown << " more stacks not shown.\n";
    }
}

}  // namespace

HeadlessRun::HeadlessRun(std::int64_t poolSizeMegabytes, WorkloadOptions workloadOptions)
    : poolSizeMegabytes_(poolSizeMegabytes), workloadOptions_(workloadOptions) {}

int HeadlessRun::exec(std::ostream& out, std::ostream& errors) const {
    try {
        MemoryAllocatorOptions allocatorOptions;
        allocatorOptions.maximumPoolSizeMegabytes = poolSizeMegabytes_;
        // MemoryAllocator::create always builds the pooled allocator.
        const auto allocator = std::static_pointer_cast<PooledMemoryAllocator>(
            MemoryAllocator::create(allocatorOptions));
        const auto stackCapture = MemoryDiagnostics::enableStackCapture();

        // The workload holds its leaky cache until it is destroyed, so the checkpoint below,
        // taken while it still lives, sees the deliberate leak.
        DefaultWorkload workload(allocator, workloadOptions_);
        const LeakMark beforeWorkload = MemoryDiagnostics::mark();
        const WorkloadSummary summary = workload.run();
        const std::vector<LeakGroup> leaks = MemoryDiagnostics::leakCheckpoint(beforeWorkload);

        out << "PoolScope " << POOLSCOPE_VERSION << ": default workload, headless"
            << (workloadOptions_.leak ? ", leaking on purpose" : "") << "\n\n";
        printWorkload(out, summary);
        out << '\n';
        printPool(out, *allocator);
        out << "\nDiagnostics\n";
        printCount(out, "Undisposed allocations",
                   MemoryDiagnostics::totalUndisposedAllocationCount());
        printLeaks(out, leaks);
        out.flush();
        return leaks.empty() ? CommandLine::kExitSuccess : CommandLine::kExitLeaksFound;
    } catch (const std::exception& error) {
        errors << "poolscope: the workload failed: " << error.what() << '\n';
        return CommandLine::kExitFailure;
    }
}

}  // namespace poolscope
