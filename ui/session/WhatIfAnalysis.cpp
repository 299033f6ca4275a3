#include "WhatIfAnalysis.h"

#include <QFutureWatcher>
#include <QStringList>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>

#include "analysis/StackNames.h"
#include "recording/RecordingReader.h"

namespace poolscope {

WhatIfReplay::Options WhatIfAnalysis::optionsFor(const SessionAllocatorOptions& allocator) {
    WhatIfReplay::Options options;
    options.poolSizeMegabytes = allocator.maximumPoolSizeMegabytes;
    if (allocator.trimPeriodMilliseconds && *allocator.trimPeriodMilliseconds > 0) {
        options.trimPeriod = std::chrono::milliseconds(*allocator.trimPeriodMilliseconds);
    }
    return options;
}

WhatIfAnalysisResult WhatIfAnalysis::replay(const QString& recordingPath,
                                            const WhatIfReplay::Options& options) {
    WhatIfAnalysisResult result;
    result.recordingPath = recordingPath;
    result.options = options;
    try {
        const RecordingReader reader(recordingPath.toStdString());
        result.replay = WhatIfReplay::of(reader, options);
        StackNames names = StackNames::of(reader);
        result.sites.reserve(result.replay.sites.size());
        for (const WhatIfSite& saving : result.replay.sites) {
            QStringList frames;
            for (const StackNames::FrameId id : names.frameIds(saving.stackId)) {
                frames.append(QString::fromStdString(names.label(id)));
            }
            // Sites often share their innermost frame (one allocating helper): the caller
            // tells them apart.
            const QString site =
                frames.size() > 1 ? frames[0] + QStringLiteral(" ← ") + frames[1] : frames.front();
            result.sites.push_back({site, frames.join(QLatin1Char('\n')), saving});
        }
    } catch (const std::exception& error) {
        result.error = QString::fromStdString(error.what());
    }
    return result;
}

void WhatIfAnalysis::request(const QString& recordingPath, const WhatIfReplay::Options& options) {
    const quint64 generation = ++latest_;
    setBusy(true);
    auto* watcher = new QFutureWatcher<WhatIfAnalysisResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != latest_) {
            return;
        }
        setBusy(false);
        emit ready(std::make_shared<const WhatIfAnalysisResult>(watcher->result()));
    });
    watcher->setFuture(QtConcurrent::run(&WhatIfAnalysis::replay, recordingPath, options));
}

void WhatIfAnalysis::cancel() {
    ++latest_;
    setBusy(false);
}

void WhatIfAnalysis::setBusy(bool busy) {
    if (busy_ != busy) {
        busy_ = busy;
        emit busyChanged(busy);
    }
}

}  // namespace poolscope
