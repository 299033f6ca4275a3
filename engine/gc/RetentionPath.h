#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gc/GcObjectHeader.h"

namespace poolscope {

// Why an object is alive: the shortest chain from a root to it, as a memory profiler's "who
// keeps it alive" shows it. steps.front() is the object the root holds; steps.back() is the
// target. Each step names the field of the previous object through which it is reached.
struct RetentionPath {
    struct Step {
        std::uintptr_t address = 0;
        GcTypeId typeId = 0;
        std::string typeName;
        std::string viaField;  // empty for the first step; "owner", "[3]" after
    };

    std::string rootName;  // "static openedForms", "frame main", "strong handle", ...
    std::vector<Step> steps;

    // "static openedForms -> List -[3]-> Form"
    std::string toString() const;
    // How a step reached through an array element names it: "[3]".
    static std::string elementName(std::uint32_t index);
};

}  // namespace poolscope
