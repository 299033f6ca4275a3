#include "RecordingAnalysis.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/StackNames.h"
#include "recording/RecordingReader.h"

namespace poolscope {

RecordingAnalysisResult RecordingAnalysis::analyse(const QString& recordingPath) {
    RecordingAnalysisResult result;
    result.recordingPath = recordingPath;
    try {
        const RecordingReader reader(recordingPath.toStdString());
        const AllocationAnalysis analysis = AllocationAnalyzer::of(reader);
        StackNames names = StackNames::of(reader);
        result.sites = CallSiteModel::rowsOf(analysis, names);
        result.topDown = CallTree::topDown(analysis, names);
    } catch (const std::exception& error) {
        result.error = QString::fromStdString(error.what());
    }
    return result;
}

void RecordingAnalysis::request(const QString& recordingPath) {
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
    watcher->setFuture(QtConcurrent::run(&RecordingAnalysis::analyse, recordingPath));
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
