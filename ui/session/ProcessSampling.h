#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "native/ProcSample.h"
#include "native/ProcSampler.h"

namespace poolscope {

// The window's side of sampling a process from /proc (any process of the user, no injection):
// a ProcSampler samples on its own thread, and this object drains it on the GUI thread a few
// times a second; a drain only takes what is ready, so the GUI never waits on the process.
class ProcessSampling : public QObject {
    Q_OBJECT

public:
    // Four times a second: the lanes move smoothly, and the window redraws them no more often.
    static constexpr int kDrainIntervalMilliseconds = 250;

    explicit ProcessSampling(QObject* parent = nullptr);
    ~ProcessSampling() override;

    // Stops any sampling under way and samples `pid` from now on; returns why it cannot (no
    // such process, another user's), empty when it started.
    QString start(pid_t pid,
                  std::chrono::milliseconds interval = ProcSamplerOptions::kDefaultInterval);
    // Stops sampling; the samples taken stay where they were sent.
    void stop();

    bool isSampling() const { return sampler_ != nullptr; }
    pid_t pid() const { return pid_; }
    // The process's name and PID, as the window names it.
    const QString& description() const { return description_; }
    // Samples taken since start().
    std::uint64_t sampleCount() const { return sampleCount_; }

signals:
    void started(const QString& description);
    // New samples, oldest first; originNanoseconds is the first sample's time, which the
    // timeline counts seconds from.
    void samplesArrived(const std::vector<poolscope::ProcSample>& samples,
                        std::int64_t originNanoseconds);
    // Sampling ended because of the process ("process 1234 exited"), not because of stop().
    void ended(const QString& reason);

private:
    void drain();

    std::unique_ptr<ProcSampler> sampler_;
    QTimer drainTimer_;
    pid_t pid_ = 0;
    QString description_;
    std::uint64_t sampleCount_ = 0;
    std::int64_t originNanoseconds_ = 0;
    std::vector<ProcSample> batch_;
};

}  // namespace poolscope
