#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

#include "analysis/WhatIfReplay.h"
#include "session/EngineSession.h"

namespace poolscope {

// A call site of the replay with its name, as the call-site table names sites.
struct WhatIfSiteRow {
    QString site;   // the innermost frame, and its caller after " ← " when there is one
    QString stack;  // every frame, innermost first, one a line
    WhatIfSite saving;
};

// What the window shows of "what if it were pooled" for one recording and one pool.
struct WhatIfAnalysisResult {
    QString recordingPath;
    WhatIfReplay::Options options;
    QString error;  // empty when the recording was read
    WhatIfResult replay;
    std::vector<WhatIfSiteRow> sites;  // in the replay's order: biggest saving first
};

// Replays recordings through the pool off the GUI thread. The latest request wins: a result
// that comes back after a newer request (another recording, or other allocator options) was
// made is dropped, so the dock never shows a replay of what is no longer asked for.
class WhatIfAnalysis : public QObject {
    Q_OBJECT

public:
    using QObject::QObject;

    // The replay's pool as the window's allocator options make it: their maximum size, and
    // their trim period or the default allocator's.
    static WhatIfReplay::Options optionsFor(const SessionAllocatorOptions& allocator);
    // The replay itself, on the calling thread.
    static WhatIfAnalysisResult replay(const QString& recordingPath,
                                       const WhatIfReplay::Options& options);

    void request(const QString& recordingPath, const WhatIfReplay::Options& options);
    // Drops whatever is still being replayed.
    void cancel();
    bool busy() const { return busy_; }

signals:
    void busyChanged(bool busy);
    void ready(std::shared_ptr<const WhatIfAnalysisResult> result);

private:
    void setBusy(bool busy);

    quint64 latest_ = 0;
    bool busy_ = false;
};

}  // namespace poolscope
