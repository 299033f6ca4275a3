#pragma once

#include <QString>
#include <QToolBar>

#include <cstddef>
#include <cstdint>
#include <optional>

class QAction;
class QComboBox;
class QLineEdit;
class QMenu;
class QToolButton;

namespace poolscope {

class StackSuppressions;

// The leak view's controls: the text and size filters, grouping by stack, the checkpoint mark,
// snapshots A and B with their difference, stack suppressions and CSV export. It only asks;
// the leak view acts and tells it what to show through setState().
class LeakToolBar : public QToolBar {
    Q_OBJECT

public:
    // What the controls show; every field as the leak view knows it now.
    struct State {
        bool checkpointMarked = false;
        std::optional<std::size_t> snapshotARows;  // unset: no snapshot A taken
        std::optional<std::size_t> snapshotBRows;
        bool stackSelected = false;
        qsizetype suppressedStacks = 0;
    };

    // The suppressions menu lists `suppressions`, which must outlive the toolbar.
    LeakToolBar(const StackSuppressions& suppressions, QWidget* parent = nullptr);

    void setFilterText(const QString& text);
    // Chooses `bytes` in the size filter; false when it is not one of its choices.
    bool chooseMinimumBytes(std::uint64_t bytes);
    // Each without emitting the matching toggle.
    void showGrouped(bool grouped);
    void showDiff(bool shown);
    void setState(const State& state);

signals:
    void filterTextChanged(const QString& text);
    void minimumBytesChanged(std::uint64_t bytes);
    void groupedToggled(bool grouped);
    void checkpointRequested();
    void showAllRequested();
    void snapshotARequested();
    void snapshotBRequested();
    void diffToggled(bool shown);
    void suppressRequested();
    void unsuppressRequested(const QString& signature);
    void clearSuppressionsRequested();
    void exportRequested();

private:
    void rebuildSuppressionsMenu();

    const StackSuppressions& suppressions_;
    QLineEdit* filterEdit_ = nullptr;
    QComboBox* minimumSize_ = nullptr;
    QAction* groupAction_ = nullptr;
    QAction* showAllAction_ = nullptr;
    QAction* snapshotAAction_ = nullptr;
    QAction* snapshotBAction_ = nullptr;
    QAction* diffAction_ = nullptr;
    QAction* suppressAction_ = nullptr;
    QToolButton* suppressionsButton_ = nullptr;
    QMenu* suppressionsMenu_ = nullptr;
};

}  // namespace poolscope
