#pragma once

#include <QStatusBar>
#include <QString>

class QLabel;
class QProgressBar;

namespace poolscope {

struct SessionSnapshot;

// The session's figures under the window: what it is doing, the run's progress, events handled
// and dropped, stack frames without a name, undisposed allocations and the pool's bytes.
class SessionStatusBar : public QStatusBar {
    Q_OBJECT

public:
    explicit SessionStatusBar(QWidget* parent = nullptr);

    // "Live", "Recording", "Finished in 2.1 s", ...
    void setState(const QString& text);
    void showSnapshot(const SessionSnapshot& snapshot);
    // Every figure as shown, separated by " | ".
    QString text() const;

private:
    QProgressBar* progress_ = nullptr;
    QLabel* eventsLabel_ = nullptr;
    QLabel* droppedLabel_ = nullptr;
    QLabel* symbolsLabel_ = nullptr;
    QLabel* undisposedLabel_ = nullptr;
    QLabel* bytesLabel_ = nullptr;
    QLabel* stateLabel_ = nullptr;
};

}  // namespace poolscope
