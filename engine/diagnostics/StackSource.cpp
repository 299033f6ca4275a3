#include "diagnostics/StackSource.h"

#include "diagnostics/MemoryDiagnostics.h"
#include "diagnostics/StackTable.h"

namespace poolscope {

namespace {

class ProcessStackSource final : public StackSource {
public:
    std::vector<LocatedFrame> stack(StackId stackId) const override {
        std::vector<LocatedFrame> located;
        for (const std::uintptr_t address : StackTable::instance().frames(stackId)) {
            LocatedFrame frame{address, std::nullopt};
            // The module of the call, one byte before the return address; the offset is the
            // return address's, as frames keep it.
            if (auto location = ModuleMap::instance().locate(address - 1)) {
                location->offset += 1;
                frame.location = location;
            }
            located.push_back(frame);
        }
        return located;
    }
    LoadedModule module(std::uint32_t index) const override {
        return ModuleMap::instance().module(index);
    }
    std::string tagName(std::uint16_t tagId) const override {
        return MemoryDiagnostics::tagName(tagId);
    }
};

}  // namespace

const StackSource& StackSource::process() {
    static const ProcessStackSource* source = new ProcessStackSource();  // outlives exit
    return *source;
}

}  // namespace poolscope
