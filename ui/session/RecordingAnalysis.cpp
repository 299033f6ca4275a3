#include "RecordingAnalysis.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <exception>
#include <unordered_map>

#include "OpenRecording.h"
#include "analysis/AllocationAnalyzer.h"
#include "analysis/PeakConsumers.h"
#include "analysis/StackNames.h"
#include "recording/RecordingReader.h"

namespace poolscope {

bool RecordingAnalysisResult::wholeRecording() const {
    const AnalysisRange whole;
    return range.fromNanoseconds == whole.fromNanoseconds &&
           range.toNanoseconds == whole.toNanoseconds;
}

RecordingAnalysisResult RecordingAnalysis::analyse(const QString& recordingPath,
                                                   const AnalysisRange& range,
                                                   const Progress& progress, Kept* kept) {
    RecordingAnalysisResult result;
    result.recordingPath = recordingPath;
    result.range = range;
    try {
        std::shared_ptr<OpenRecording> open;
        if (kept != nullptr) {
            const std::lock_guard lock(kept->mutex);
            open = OpenRecording::of(recordingPath.toStdString(), kept->recording);
            kept->recording = open;
        } else {
            open = OpenRecording::of(recordingPath.toStdString(), nullptr);
        }
        // An older request still using it stops at its next block.
        const std::lock_guard inUse(open->inUse());
        const RecordingReader& reader = open->reader();
        bool stopped = false;
        const AllocationAnalysis analysis =
            AllocationAnalyzer::of(reader, range, [&](std::uint64_t read, std::uint64_t total) {
                stopped = progress && !progress(read, total);
                return !stopped;
            });
        if (stopped) {
            result.error = QStringLiteral("stopped for a newer request");
            return result;
        }
        StackNames& names = open->names();
        result.firstEventNanoseconds = analysis.firstEventNanoseconds;
        result.sites = CallSiteModel::rowsOf(analysis, names);
        std::unordered_map<StackId, std::size_t> rowOfStack;
        for (std::size_t row = 0; row < result.sites.size(); ++row) {
            rowOfStack.emplace(result.sites[row].cost.stackId, row);
        }
        const PeakConsumers peak = PeakConsumers::of(analysis, names);
        result.peakBytes = peak.peakBytes;
        result.peakNanoseconds = peak.peakNanoseconds;
        for (const PeakConsumers::Stack& stack : peak.stacks) {
            result.peakConsumers.push_back(result.sites[rowOfStack.at(stack.stackId)]);
        }
        for (const CallSiteModel::Row& site : result.sites) {
            if (site.cost.temporaryAllocations > 0) {
                result.temporary.push_back(site);
            }
        }
        std::stable_sort(result.temporary.begin(), result.temporary.end(),
                         [](const CallSiteModel::Row& a, const CallSiteModel::Row& b) {
                             return a.cost.temporaryAllocations > b.cost.temporaryAllocations;
                         });
        result.sizes = analysis.sizes.buckets();
        result.thresholds = analysis.thresholds;
        result.topDown = CallTree::topDown(analysis, names);
        result.bottomUp = CallTree::bottomUp(analysis, names);
        result.topDownSearch = CallTreeSearchIndex::of(result.topDown);
        result.bottomUpSearch = CallTreeSearchIndex::of(result.bottomUp);
    } catch (const std::exception& error) {
        result.error = QString::fromStdString(error.what());
    }
    return result;
}

void RecordingAnalysis::request(const QString& recordingPath, const AnalysisRange& range) {
    const quint64 generation = ++shared_->latest;
    setBusy(true);
    emit progressed(0);
    auto* watcher = new QFutureWatcher<RecordingAnalysisResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != shared_->latest) {
            return;
        }
        setBusy(false);
        emit ready(std::make_shared<const RecordingAnalysisResult>(watcher->result()));
    });
    // The pass leaves how far it got where the GUI thread's timer reads it: neither waits for
    // the other, and a pass outliving this object touches only what it shares.
    const std::shared_ptr<Shared> shared = shared_;
    shared->permille = 0;
    const Progress progress = [shared, generation](std::uint64_t read, std::uint64_t total) {
        if (shared->latest.load() != generation) {
            return false;
        }
        // A recording still being written may hold more events than when it was opened.
        shared->permille =
            total == 0 ? 1000
                       : static_cast<int>(std::min<std::uint64_t>(read, total) * 1000 / total);
        return true;
    };
    shownPermille_ = 0;
    progressTimer_.start();
    watcher->setFuture(QtConcurrent::run([recordingPath, range, progress, shared] {
        return analyse(recordingPath, range, progress, &shared->kept);
    }));
}

RecordingAnalysis::RecordingAnalysis(QObject* parent) : QObject(parent) {
    progressTimer_.setInterval(50);
    connect(&progressTimer_, &QTimer::timeout, this, [this] {
        const int permille = shared_->permille;
        if (permille != shownPermille_) {
            shownPermille_ = permille;
            emit progressed(permille);
        }
    });
}

RecordingAnalysis::~RecordingAnalysis() {
    ++shared_->latest;  // a pass still running stops at its next block
}

void RecordingAnalysis::cancel() {
    ++shared_->latest;
    setBusy(false);
}

void RecordingAnalysis::setBusy(bool busy) {
    if (!busy) {
        progressTimer_.stop();
    }
    if (busy_ != busy) {
        busy_ = busy;
        emit busyChanged(busy);
    }
}

}  // namespace poolscope
