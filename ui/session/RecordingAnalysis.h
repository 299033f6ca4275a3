#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "analysis/AnalysisRange.h"
#include "analysis/CallTree.h"
#include "analysis/SizeHistogram.h"
#include "models/CallSiteModel.h"
#include "models/CallTreeSearchIndex.h"

namespace poolscope {

class OpenRecording;

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
    // What a search of each tree reads, made here rather than on the first letter typed.
    CallTreeSearchIndex topDownSearch;
    CallTreeSearchIndex bottomUpSearch;

    // Whether `range` is the whole recording.
    bool wholeRecording() const;
};

// Analyses recordings off the GUI thread. The latest request wins: a result that comes back
// after a newer request was made is dropped, so the views never show an older recording or an
// older time range, and the pass of an older request stops at its next block, leaving the
// machine's cores to the newer one.
class RecordingAnalysis : public QObject {
    Q_OBJECT

public:
    explicit RecordingAnalysis(QObject* parent = nullptr);
    ~RecordingAnalysis() override;

    void request(const QString& recordingPath, const AnalysisRange& range = {});
    // Drops whatever is still being analysed.
    void cancel();
    bool busy() const { return busy_; }

    // How far the pass over the recording's events has got, told after each block; returns
    // false to stop (the result is then not to be shown).
    using Progress = std::function<bool(std::uint64_t eventsRead, std::uint64_t eventsTotal)>;

    // The recording analysed last, kept open for the next analysis (OpenRecording).
    struct Kept {
        std::mutex mutex;
        std::shared_ptr<OpenRecording> recording;
    };

    // The analysis itself, on the calling thread: of the recording `kept` holds when that is
    // this one unchanged (then holding this one), of the recording opened afresh without.
    static RecordingAnalysisResult analyse(const QString& recordingPath,
                                           const AnalysisRange& range = {},
                                           const Progress& progress = {}, Kept* kept = nullptr);

signals:
    void busyChanged(bool busy);
    // The share of the latest request's events read, in thousandths.
    void progressed(int permille);
    void ready(std::shared_ptr<const RecordingAnalysisResult> result);

private:
    void setBusy(bool busy);

    // Shared with the passes running: each stops once a newer request was made, and the
    // latest tells how far it got.
    struct Shared {
        std::atomic<quint64> latest{0};
        std::atomic<int> permille{0};
        Kept kept;
    };
    std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
    QTimer progressTimer_;
    int shownPermille_ = 0;
    bool busy_ = false;
};

}  // namespace poolscope
