#pragma once

#include <QString>
#include <QWidget>

#include <optional>

#include "session/SessionSnapshot.h"

class QCheckBox;
class QLabel;
class QToolButton;
class QTreeWidget;

namespace poolscope {

class LeakTableModel;
class StackGroupModel;

// Below the leak table: the selected allocation's facts and the symbolized stack that made
// it, frame by frame, with a button that copies both as text.
class StackDetailPane : public QWidget {
    Q_OBJECT

public:
    explicit StackDetailPane(QWidget* parent = nullptr);

    // The allocation as `model` knows it (or that it is no longer live), and the stack, its
    // functions named as `names` names them (inlined calls marked, templates shortened when
    // asked); with neither, an invitation to select one.
    void showAllocation(const LeakTableModel& model, const StackGroupModel& names,
                        std::optional<AllocationId> allocation, std::optional<StackId> stack);
    // What the copy button puts on the clipboard; empty while nothing is selected.
    const QString& stackText() const { return text_; }

signals:
    // The "Short templates" box: show template arguments as <…> in the stacks.
    void shortTemplatesToggled(bool on);

private:
    void copyStack();

    QLabel* title_ = nullptr;
    QTreeWidget* frames_ = nullptr;
    QToolButton* copyButton_ = nullptr;
    QString text_;
};

}  // namespace poolscope
