#include "session/LaunchedProgramSource.h"

#include <QFileInfo>

#include <algorithm>
#include <chrono>

#include "base/Clock.h"
#include "native/LaunchedProgram.h"

namespace poolscope {

LaunchedProgramSource::LaunchedProgramSource(std::shared_ptr<LaunchedProgram> program)
    : program_(std::move(program)), origin_(program_->startNanoseconds()) {}

LaunchedProgramSource::~LaunchedProgramSource() = default;

QString LaunchedProgramSource::description() const {
    return QStringLiteral("%1 (pid %2)")
        .arg(QFileInfo(QString::fromStdString(program_->programPath())).fileName())
        .arg(program_->pid());
}

std::vector<std::pair<std::string, std::string>> LaunchedProgramSource::metadata() const {
    std::string arguments;
    for (const std::string& argument : program_->options().arguments) {
        arguments += (arguments.empty() ? "" : " ") + argument;
    }
    return {{"program", program_->programPath()},
            {"pid", std::to_string(program_->pid())},
            {"arguments", arguments}};
}

std::int64_t LaunchedProgramSource::originNanoseconds() const {
    return origin_;
}

std::int64_t LaunchedProgramSource::nowNanoseconds() const {
    return program_->ended() ? std::max(program_->latestNanoseconds(), origin_)
                             : systemMonotonicNanoseconds();
}

std::shared_ptr<const LinkStackTable> LaunchedProgramSource::stacks() const {
    return program_->stacks();
}

void LaunchedProgramSource::drain(std::vector<MemoryEvent>& out) {
    program_->drain(out);
}

std::uint64_t LaunchedProgramSource::droppedEvents() const {
    return program_->droppedEvents();
}

std::unordered_map<AllocationId, QString> LaunchedProgramSource::descriptorPaths() const {
    std::unordered_map<AllocationId, QString> paths;
    for (const NativeLiveState::Descriptor& descriptor : program_->openDescriptors()) {
        paths.emplace(descriptor.allocationId, QString::fromStdString(descriptor.path));
    }
    return paths;
}

bool LaunchedProgramSource::ended() const {
    return program_->ended();
}

QString LaunchedProgramSource::endReason() const {
    return QString::fromStdString(program_->endReason());
}

void LaunchedProgramSource::leave() {
    program_->terminate();
}

}  // namespace poolscope
