#pragma once

#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

#include "analysis/AnalysisRange.h"
#include "analysis/CallTree.h"
#include "analysis/SizeHistogram.h"
#include "models/CallSiteModel.h"

namespace poolscope {

// What the window shows of a recording's analyses, all of the allocations made in `range`.
struct RecordingAnalysisResult {
    QString recordingPath;
    QString error;  // empty when the recording was read
    AnalysisRange range;
    std::int64_t firstEventNanoseconds = 0;
    // Every call site, by stack id.
    std::vector<CallSiteModel::Row> sites;
    // The most the allocations held at once, when, and the sites that held it (PeakConsumers),
    // most bytes first.
    std::uint64_t peakBytes = 0;
    std::int64_t peakNanoseconds = 0;
    std::vector<CallSiteModel::Row> peakConsumers;
    // The sites with temporary allocations, most first.
    std::vector<CallSiteModel::Row> temporary;
    std::vector<SizeHistogram::Bucket> sizes;
    std::vector<SizeHistogram::Threshold> thresholds;
    CallTree topDown;
    CallTree bottomUp;

    // Whether `range` is the whole recording.
    bool wholeRecording() const;
};

// Analyses recordings off the GUI thread. The latest request wins: a result that comes back
// after a newer request was made is dropped, so the views never show an older recording or an
// older time range.
class RecordingAnalysis : public QObject {
    Q_OBJECT

public:
    using QObject::QObject;

    void request(const QString& recordingPath, const AnalysisRange& range = {});
    // Drops whatever is still being analysed.
    void cancel();
    bool busy() const { return busy_; }

    // The analysis itself, on the calling thread.
    static RecordingAnalysisResult analyse(const QString& recordingPath,
                                           const AnalysisRange& range = {});

signals:
    void busyChanged(bool busy);
    void ready(std::shared_ptr<const RecordingAnalysisResult> result);

private:
    void setBusy(bool busy);

    quint64 latest_ = 0;
    bool busy_ = false;
};

}  // namespace poolscope
