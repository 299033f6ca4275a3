#include "RecordingAnalysis.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <exception>
#include <unordered_map>

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
                                                   const AnalysisRange& range) {
    RecordingAnalysisResult result;
    result.recordingPath = recordingPath;
    result.range = range;
    try {
        const RecordingReader reader(recordingPath.toStdString());
        const AllocationAnalysis analysis = AllocationAnalyzer::of(reader, range);
        StackNames names = StackNames::of(reader);
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
    } catch (const std::exception& error) {
        result.error = QString::fromStdString(error.what());
    }
    return result;
}

void RecordingAnalysis::request(const QString& recordingPath, const AnalysisRange& range) {
    const quint64 generation = ++latest_;
    setBusy(true);
    auto* watcher = new QFutureWatcher<RecordingAnalysisResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != latest_) {
            return;
        }
        setBusy(false);
        emit ready(std::make_shared<const RecordingAnalysisResult>(watcher->result()));
    });
    watcher->setFuture(QtConcurrent::run(&RecordingAnalysis::analyse, recordingPath, range));
}

void RecordingAnalysis::cancel() {
    ++latest_;
    setBusy(false);
}

void RecordingAnalysis::setBusy(bool busy) {
    if (busy_ != busy) {
        busy_ = busy;
        emit busyChanged(busy);
    }
}

}  // namespace poolscope
