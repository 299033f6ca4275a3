#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/StackNames.h"

namespace poolscope {

// The call sites as collapsed stacks, the text flame-graph tools (flamegraph.pl, inferno,
// speedscope) read: one line per stack, "outermost;...;innermost COST", frames by function
// name. Stacks whose names come out the same (calls from different lines of one function) are
// one line; lines of no cost are left out; lines come in text order.
class CollapsedStacks {
public:
    enum class Cost {
        Allocations,  // allocations made
        Leaked,       // bytes still live at the recording's end
        Peak,         // bytes held at the moment of the peak
    };
    struct Line {
        std::string stack;
        std::uint64_t cost = 0;

        friend bool operator==(const Line&, const Line&) = default;
    };

    static std::vector<Line> of(const AllocationAnalysis& analysis, StackNames& names, Cost cost);
    static void write(std::ostream& out, const std::vector<Line>& lines);

    // "allocations", "leaked" or "peak".
    static std::optional<Cost> costNamed(std::string_view name);
    // A frame's function (its address when unnamed), with ';', which separates frames, and
    // '%', which escapes, written as %3B and %25.
    static std::string frameName(const Frame& frame);
};

}  // namespace poolscope
