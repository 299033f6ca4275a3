#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

#include "analysis/CallTree.h"
#include "models/CallSiteModel.h"

namespace poolscope {

// What the window shows of a recording's analyses.
struct RecordingAnalysisResult {
    QString recordingPath;
    QString error;  // empty when the recording was read
    std::vector<CallSiteModel::Row> sites;
    CallTree topDown;
};

// Analyses recordings off the GUI thread. The latest request wins: a result that comes back
// after a newer request was made is dropped, so the views never show an older recording.
class RecordingAnalysis : public QObject {
    Q_OBJECT

public:
    using QObject::QObject;

    void request(const QString& recordingPath);
    // Drops whatever is still being analysed.
    void cancel();
    bool busy() const { return busy_; }

    // The analysis itself, on the calling thread.
    static RecordingAnalysisResult analyse(const QString& recordingPath);

signals:
    void busyChanged(bool busy);
    void ready(std::shared_ptr<const RecordingAnalysisResult> result);

private:
    void setBusy(bool busy);

    quint64 latest_ = 0;
    bool busy_ = false;
};

}  // namespace poolscope
