#include "session/LinkProgramSource.h"

#include "base/Clock.h"
#include "link/LinkClient.h"

namespace poolscope {

LinkProgramSource::LinkProgramSource(std::unique_ptr<LinkClient> client)
    : client_(std::move(client)),
      clockOffset_(client_->process().programNanoseconds - monotonicNanoseconds()) {}

LinkProgramSource::~LinkProgramSource() = default;

QString LinkProgramSource::description() const {
    const LinkProcessInfo& process = client_->process();
    return QStringLiteral("%1 (pid %2)")
        .arg(QString::fromStdString(process.program))
        .arg(process.pid);
}

std::vector<std::pair<std::string, std::string>> LinkProgramSource::metadata() const {
    const LinkProcessInfo& process = client_->process();
    return {{"program", process.program},
            {"pid", std::to_string(process.pid)},
            {"allocator", process.allocator}};
}

std::int64_t LinkProgramSource::originNanoseconds() const {
    return client_->process().programNanoseconds;
}

std::int64_t LinkProgramSource::nowNanoseconds() const {
    return client_->ended() ? client_->status().programNanoseconds
                            : monotonicNanoseconds() + clockOffset_;
}

std::shared_ptr<const LinkStackTable> LinkProgramSource::stacks() const {
    return client_->stacks();
}

std::vector<LinkPool> LinkProgramSource::takePools() {
    return client_->takePools();
}

void LinkProgramSource::drain(std::vector<MemoryEvent>& out) {
    client_->drain(out);
}

std::uint64_t LinkProgramSource::droppedEvents() const {
    const LinkStatus status = client_->status();
    return status.engineDroppedEvents + status.linkDroppedEvents + client_->inboxDroppedEvents();
}

std::int64_t LinkProgramSource::undisposedAllocations() const {
    return client_->status().undisposedAllocations;
}

bool LinkProgramSource::ended() const {
    return client_->ended();
}

QString LinkProgramSource::endReason() const {
    return QString::fromStdString(client_->endReason());
}

void LinkProgramSource::leave() {
    client_->detach();
}

}  // namespace poolscope
