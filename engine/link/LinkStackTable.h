#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "diagnostics/Frame.h"
#include "diagnostics/StackSource.h"
#include "link/LinkProtocol.h"

namespace poolscope {

// The stacks, modules and tags a viewer received from a program over the live link. Its
// stacks are named from the program's binaries on disk, by module and offset, as a recording's
// are. Filled by the link's reader thread, read by the session's. Thread-safe.
class LinkStackTable final : public StackSource {
public:
    void add(const LinkModule& module);
    void add(const LinkStack& stack);
    void add(const LinkTag& tag);

    std::vector<LocatedFrame> stack(StackId stackId) const override;
    LoadedModule module(std::uint32_t index) const override;
    // The frames people read, as MemoryDiagnostics::symbolizedStack selects them.
    std::vector<Frame> symbolizedStack(StackId stackId, int maxFrames = 24) const;
    std::string tagName(std::uint16_t tagId) const override;
    std::size_t stackCount() const;

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::uint32_t, LoadedModule> modules_;
    std::unordered_map<StackId, std::vector<LinkStackFrame>> stacks_;
    std::unordered_map<std::uint16_t, std::string> tags_;
};

}  // namespace poolscope
