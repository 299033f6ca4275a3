#pragma once

#include <QToolBar>

#include "session/EngineSession.h"

class QCheckBox;
class QComboBox;
class QSettings;
class QSpinBox;

namespace poolscope {

// The allocator the next run gets: pool or GC-backed, the pool's maximum size, its trim period
// and whether images get contiguous buffers.
class AllocatorOptionsBar : public QToolBar {
    Q_OBJECT

public:
    explicit AllocatorOptionsBar(QWidget* parent = nullptr);

    SessionAllocatorOptions options() const;
    void setOptions(const SessionAllocatorOptions& options);
    // The options cannot change while a run uses them.
    void setEditable(bool editable);

    void restoreSettings(const QSettings& settings);
    void saveSettings(QSettings& settings) const;

signals:
    // Any control changed, by the person or by setOptions() and restoreSettings().
    void optionsChanged();

private:
    QComboBox* allocatorKind_ = nullptr;
    QSpinBox* poolMegabytes_ = nullptr;
    QSpinBox* trimSeconds_ = nullptr;
    QCheckBox* preferContiguous_ = nullptr;
};

}  // namespace poolscope
