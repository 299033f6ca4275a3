#include "session/ProcessSampling.h"

#include "native/ProcError.h"
#include "native/ProcProcess.h"

namespace poolscope {

ProcessSampling::ProcessSampling(QObject* parent) : QObject(parent) {
    drainTimer_.setInterval(kDrainIntervalMilliseconds);
    connect(&drainTimer_, &QTimer::timeout, this, &ProcessSampling::drain);
}

ProcessSampling::~ProcessSampling() = default;

QString ProcessSampling::start(pid_t pid, std::chrono::milliseconds interval) {
    stop();
    std::unique_ptr<ProcProcess> process;
    QString name;
    try {
        process = std::make_unique<ProcProcess>(pid);
        name = QString::fromStdString(process->status().name);
    } catch (const ProcError& error) {
        return QString::fromStdString(error.what());
    }
    ProcSamplerOptions options;
    options.interval = interval;
    sampler_ = std::make_unique<ProcSampler>(std::move(process), options);
    pid_ = pid;
    description_ = tr("%1 (%2)").arg(name).arg(pid);
    sampleCount_ = 0;
    originNanoseconds_ = 0;
    drainTimer_.start();
    emit started(description_);
    return {};
}

void ProcessSampling::stop() {
    drainTimer_.stop();
    sampler_.reset();
}

void ProcessSampling::drain() {
    if (!sampler_) {
        return;
    }
    batch_.clear();
    sampler_->drain(batch_);
    if (!batch_.empty()) {
        if (sampleCount_ == 0) {
            originNanoseconds_ = batch_.front().timeNanoseconds;
        }
        sampleCount_ += batch_.size();
        emit samplesArrived(batch_, originNanoseconds_);
    }
    if (sampler_->ended()) {
        const auto error = sampler_->endError();
        stop();
        emit ended(error ? QString::fromStdString(error->what())
                         : tr("sampling of process %1 ended").arg(pid_));
    }
}

}  // namespace poolscope
