#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "diagnostics/MemoryEvent.h"
#include "diagnostics/ModuleMap.h"

namespace poolscope {

// One return address of a stack, with the module it lies in and its offset there.
struct LocatedFrame {
    std::uint64_t address = 0;
    std::optional<ModuleLocation> location;  // the return address's offset into the module
};

// Where the addresses of stack ids come from: this process's stack table and modules, or the
// tables a live link received from another program. A recording of either keeps stacks as
// modules and offsets through it.
class StackSource {
public:
    virtual ~StackSource() = default;
    // The stack's return addresses, innermost first; empty for an unknown id.
    virtual std::vector<LocatedFrame> stack(StackId stackId) const = 0;
    virtual LoadedModule module(std::uint32_t index) const = 0;
    // The name of an allocation tag of the same process; empty for an unknown id.
    virtual std::string tagName(std::uint16_t tagId) const = 0;

    // This process's StackTable and ModuleMap.
    static const StackSource& process();
};

}  // namespace poolscope
