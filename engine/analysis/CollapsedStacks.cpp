#include "analysis/CollapsedStacks.h"

#include <map>

namespace poolscope {

namespace {

std::uint64_t costOf(const CallSiteCost& site, CollapsedStacks::Cost cost) {
    switch (cost) {
        case CollapsedStacks::Cost::Allocations:
            return site.allocations;
        case CollapsedStacks::Cost::Leaked:
            return site.leakedBytes;
        case CollapsedStacks::Cost::Peak:
            return site.peakBytes;
    }
    return 0;
}

}  // namespace

std::vector<CollapsedStacks::Line> CollapsedStacks::of(const AllocationAnalysis& analysis,
                                                       StackNames& names, Cost cost) {
    // Each frame's name made once, however many stacks it is in.
    std::vector<std::string> flameNames(names.frameCount());
    std::map<std::string, std::uint64_t> costs;
    std::string stack;
    for (const CallSiteCost& site : analysis.sites) {
        const std::uint64_t value = costOf(site, cost);
        if (value == 0) {
            continue;
        }
        const std::vector<StackNames::FrameId>& frames = names.frameIds(site.stackId);
        if (flameNames.size() < names.frameCount()) {
            flameNames.resize(names.frameCount());
        }
        stack.clear();
        for (auto id = frames.rbegin(); id != frames.rend(); ++id) {
            std::string& name = flameNames[*id];
            if (name.empty()) {
                name = *id == StackNames::kNoStack ? names.label(*id) : frameName(names.frame(*id));
            }
            if (!stack.empty()) {
                stack += ';';
            }
            stack += name;
        }
        costs[stack] += value;
    }
    std::vector<Line> lines;
    lines.reserve(costs.size());
    for (auto& [stack, value] : costs) {
        lines.push_back({stack, value});
    }
    return lines;
}

void CollapsedStacks::write(std::ostream& out, const std::vector<Line>& lines) {
    for (const Line& line : lines) {
        out << line.stack << ' ' << line.cost << '\n';
    }
}

std::optional<CollapsedStacks::Cost> CollapsedStacks::costNamed(std::string_view name) {
    if (name == "allocations") {
        return Cost::Allocations;
    }
    if (name == "leaked") {
        return Cost::Leaked;
    }
    if (name == "peak") {
        return Cost::Peak;
    }
    return std::nullopt;
}

std::string CollapsedStacks::frameName(const Frame& frame) {
    if (frame.function.empty()) {
        Frame address;
        address.address = frame.address;
        return address.toString();
    }
    std::string name;
    name.reserve(frame.function.size());
    for (const char c : frame.function) {
        if (c == ';') {
            name += "%3B";
        } else if (c == '%') {
            name += "%25";
        } else {
            name += c;
        }
    }
    return name;
}

}  // namespace poolscope
