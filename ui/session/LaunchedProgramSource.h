#pragma once

#include <memory>

#include "session/ProgramSource.h"

namespace poolscope {

class LaunchedProgram;

// A program the session started under the interposer, as the session's ingestor reads it. The
// program is shared with the window, which shows its pid and ends it with Stop.
class LaunchedProgramSource final : public ProgramSource {
public:
    explicit LaunchedProgramSource(std::shared_ptr<LaunchedProgram> program);
    ~LaunchedProgramSource() override;

    QString description() const override;
    std::vector<std::pair<std::string, std::string>> metadata() const override;
    std::int64_t originNanoseconds() const override;
    std::int64_t nowNanoseconds() const override;
    std::shared_ptr<const LinkStackTable> stacks() const override;
    std::vector<LinkPool> takePools() override { return {}; }
    void drain(std::vector<MemoryEvent>& out) override;
    std::uint64_t droppedEvents() const override;
    // Nothing in a native program is disposed of: its leaks are what the table shows.
    std::int64_t undisposedAllocations() const override { return 0; }
    std::unordered_map<AllocationId, QString> descriptorPaths() const override;
    bool ended() const override;
    QString endReason() const override;
    void leave() override;

private:
    std::shared_ptr<LaunchedProgram> program_;
    std::int64_t origin_;  // the program's start on its records' clock
};

}  // namespace poolscope
