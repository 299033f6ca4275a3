#pragma once

#include <memory>

#include "session/ProgramSource.h"

namespace poolscope {

class LinkClient;

// A program attached over the live link, as the session's ingestor reads it.
class LinkProgramSource final : public ProgramSource {
public:
    explicit LinkProgramSource(std::unique_ptr<LinkClient> client);
    ~LinkProgramSource() override;

    QString description() const override;
    std::vector<std::pair<std::string, std::string>> metadata() const override;
    std::int64_t originNanoseconds() const override;
    std::int64_t nowNanoseconds() const override;
    std::shared_ptr<const LinkStackTable> stacks() const override;
    std::vector<LinkPool> takePools() override;
    void drain(std::vector<MemoryEvent>& out) override;
    std::uint64_t droppedEvents() const override;
    std::int64_t undisposedAllocations() const override;
    std::unordered_map<AllocationId, QString> descriptorPaths() const override { return {}; }
    bool ended() const override;
    QString endReason() const override;
    void leave() override;

private:
    std::unique_ptr<LinkClient> client_;
    std::int64_t clockOffset_;  // the program's event clock less ours
};

}  // namespace poolscope
