#include "scenarios/RunSummary.h"

#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>

#include "base/TextFormat.h"

namespace poolscope {

namespace {

std::string secondsText(std::chrono::nanoseconds duration) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(3) << std::chrono::duration<double>(duration).count()
         << " s";
    return text.str();
}

RunSummary::Section poolSection(const PoolFigures::Values& pool) {
    return {"Pool",
            {{"Capacity", std::to_string(pool.capacityChunks) + " chunks of " +
                              formatBytes(static_cast<std::uint64_t>(pool.chunkBytes))},
             {"Peak rented", formatBytes(pool.peakRentedBytes)},
             {"Peak retained", formatBytes(pool.peakRetainedBytes)},
             {"Retained at end", formatBytes(pool.retainedBytes)},
             {"Unpooled peak", formatBytes(pool.unpooledPeakBytes)},
             {"Trims", std::to_string(pool.trims)},
             {"Chunks rented", std::to_string(pool.chunkRents)},
             {"Chunks returned", std::to_string(pool.chunkReturns)}}};
}

RunSummary::Section managedHeapSection(const GcRunFigures& gc) {
    return {"Managed heap",
            {{"Collections (gen 0/1/2)", std::to_string(gc.collections[0]) + " / " +
                                             std::to_string(gc.collections[1]) + " / " +
                                             std::to_string(gc.collections[2])},
             {"Finalizers run", std::to_string(gc.finalizersRun)},
             {"Resurrections", std::to_string(gc.resurrections)},
             {"Weak handles cleared", std::to_string(gc.weakClearedShort) + " short, " +
                                          std::to_string(gc.weakClearedLong) + " long"},
             {"Time in collections", RunSummary::milliseconds(gc.pauseNanoseconds)}}};
}

}  // namespace

std::vector<RunSummary::Section> RunSummary::sections(const ScenarioRunReport& report) {
    std::vector<Section> sections;
    Section& parameters = sections.emplace_back(Section{"Parameters", {}});
    for (const auto& [name, value] : report.parameters) {
        parameters.rows.push_back({name, scenarioValueToString(value)});
    }
    Section& figures = sections.emplace_back(Section{"Figures", {}});
    for (const auto& [name, value] : report.outcome.figures) {
        figures.rows.push_back({name, scenarioValueToString(value)});
    }
    sections.push_back(poolSection(report.pool));
    if (report.outcome.images) {
        const ImageResults& images = *report.outcome.images;
        Section& section = sections.emplace_back(Section{"Images", {}});
        section.rows.push_back({"Processed", std::to_string(images.processed)});
        section.rows.push_back({"Failed", std::to_string(images.failed.size())});
        for (const ImageFailure& failure : images.failed) {
            section.rows.push_back({failure.file, failure.error, true});
        }
    }
    if (report.gc) {
        sections.push_back(managedHeapSection(*report.gc));
    }
    sections.push_back({"Diagnostics",
                        {{"Duration", secondsText(report.duration)},
                         {"Events observed", std::to_string(report.eventsObserved)},
                         {"Events dropped", std::to_string(report.droppedEvents)},
                         {"Undisposed at end", std::to_string(report.undisposedAtEnd)},
                         {"Leaks", leaksInBrief(report.leaks)}}});
    return sections;
}

std::string RunSummary::milliseconds(std::uint64_t nanoseconds) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(3) << static_cast<double>(nanoseconds) / 1e6 << " ms";
    return text.str();
}

std::vector<RunSummary::LeakStack> RunSummary::leakStacks(const std::vector<LeakRecord>& leaks) {
    std::vector<LeakStack> stacks;
    std::map<StackId, std::size_t> byStack;
    for (const LeakRecord& leak : leaks) {
        const auto [it, added] = byStack.try_emplace(leak.stackId, stacks.size());
        if (added) {
            stacks.emplace_back();
        }
        LeakStack& stack = stacks[it->second];
        stack.bytes += leak.bytes;
        stack.leaks.push_back(&leak);
    }
    std::stable_sort(stacks.begin(), stacks.end(),
                     [](const LeakStack& a, const LeakStack& b) { return a.bytes > b.bytes; });
    return stacks;
}

std::string RunSummary::describe(const LeakStack& stack) {
    const LeakRecord& first = *stack.leaks.front();
    return std::to_string(stack.leaks.size()) +
           (stack.leaks.size() == 1 ? " allocation, " : " allocations, ") +
           formatBytes(stack.bytes) + " total, " + memoryTierName(first.tier) + ", tag " +
           (first.tag.empty() ? "(none)" : first.tag);
}

std::string RunSummary::leaksInBrief(const std::vector<LeakRecord>& leaks) {
    if (leaks.empty()) {
        return "none";
    }
    std::uint64_t bytes = 0;
    for (const LeakRecord& leak : leaks) {
        bytes += leak.bytes;
    }
    return std::to_string(leaks.size()) + " allocations, " + formatBytes(bytes);
}

}  // namespace poolscope
