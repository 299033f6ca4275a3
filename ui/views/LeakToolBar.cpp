#include "views/LeakToolBar.h"

#include <QAction>
#include <QComboBox>
#include <QLineEdit>
#include <QMenu>
#include <QToolButton>

#include <algorithm>
#include <iterator>

#include "models/DisplayFormat.h"
#include "models/StackSuppressions.h"

namespace poolscope {

namespace {

constexpr std::uint64_t kMinimumSizes[] = {0, 64 * 1024, 1024 * 1024, 4 * 1024 * 1024,
                                           16 * 1024 * 1024};

}  // namespace

LeakToolBar::LeakToolBar(const StackSuppressions& suppressions, QWidget* parent)
    : QToolBar(tr("Leaks"), parent), suppressions_(suppressions) {
    setToolButtonStyle(Qt::ToolButtonTextOnly);
    filterEdit_ = new QLineEdit(this);
    filterEdit_->setPlaceholderText(tr("Filter: tag, function, tier"));
    filterEdit_->setClearButtonEnabled(true);
    filterEdit_->setMinimumWidth(fontMetrics().horizontalAdvance(QLatin1Char('x')) * 24);
    connect(filterEdit_, &QLineEdit::textChanged, this, &LeakToolBar::filterTextChanged);
    addWidget(filterEdit_);

    minimumSize_ = new QComboBox(this);
    minimumSize_->setToolTip(tr("Hide allocations smaller than this"));
    for (const std::uint64_t bytes : kMinimumSizes) {
        minimumSize_->addItem(
            bytes == 0 ? tr("Any size") : tr(">= %1").arg(DisplayFormat::bytes(bytes)),
            QVariant::fromValue<quint64>(bytes));
    }
    connect(minimumSize_, &QComboBox::currentIndexChanged, this, [this](int index) {
        emit minimumBytesChanged(minimumSize_->itemData(index).toULongLong());
    });
    addWidget(minimumSize_);

    groupAction_ = addAction(tr("Group by stack"));
    groupAction_->setCheckable(true);
    groupAction_->setToolTip(tr("Show the allocations grouped by the stack that made them"));
    connect(groupAction_, &QAction::toggled, this, &LeakToolBar::groupedToggled);
    addSeparator();

    QAction* checkpoint = addAction(tr("Checkpoint"), this, &LeakToolBar::checkpointRequested);
    checkpoint->setToolTip(tr("Mark now; show only allocations made after the mark"));
    showAllAction_ = addAction(tr("Show all"), this, &LeakToolBar::showAllRequested);
    showAllAction_->setToolTip(tr("Forget the checkpoint mark"));
    addSeparator();

    snapshotAAction_ = addAction(tr("Snapshot A"), this, &LeakToolBar::snapshotARequested);
    snapshotAAction_->setToolTip(tr("Keep the live allocations of now as snapshot A"));
    snapshotBAction_ = addAction(tr("Snapshot B"), this, &LeakToolBar::snapshotBRequested);
    snapshotBAction_->setToolTip(tr("Keep the live allocations of now as snapshot B"));
    diffAction_ = addAction(tr("Diff B - A"));
    diffAction_->setCheckable(true);
    diffAction_->setToolTip(tr("Show the allocations of B that A did not have"));
    connect(diffAction_, &QAction::toggled, this, &LeakToolBar::diffToggled);
    addSeparator();

    suppressAction_ = addAction(tr("Suppress stack"), this, &LeakToolBar::suppressRequested);
    suppressAction_->setToolTip(
        tr("Hide every allocation of the selected row's stack, from now "
           "on and in later sessions"));
    suppressionsMenu_ = new QMenu(this);
    connect(suppressionsMenu_, &QMenu::aboutToShow, this, &LeakToolBar::rebuildSuppressionsMenu);
    suppressionsButton_ = new QToolButton(this);
    suppressionsButton_->setText(tr("Suppressed"));
    suppressionsButton_->setToolTip(tr("The suppressed stacks; pick one to show it again"));
    suppressionsButton_->setMenu(suppressionsMenu_);
    suppressionsButton_->setPopupMode(QToolButton::InstantPopup);
    addWidget(suppressionsButton_);
    addSeparator();

    addAction(tr("Export CSV..."), this, &LeakToolBar::exportRequested);
}

void LeakToolBar::setFilterText(const QString& text) {
    filterEdit_->setText(text);
}

bool LeakToolBar::chooseMinimumBytes(std::uint64_t bytes) {
    const auto* it = std::find(std::begin(kMinimumSizes), std::end(kMinimumSizes), bytes);
    if (it == std::end(kMinimumSizes)) {
        return false;
    }
    minimumSize_->setCurrentIndex(static_cast<int>(it - std::begin(kMinimumSizes)));
    return true;
}

void LeakToolBar::showGrouped(bool grouped) {
    const QSignalBlocker blocker(groupAction_);
    groupAction_->setChecked(grouped);
}

void LeakToolBar::showDiff(bool shown) {
    const QSignalBlocker blocker(diffAction_);
    diffAction_->setChecked(shown);
}

void LeakToolBar::setState(const State& state) {
    showAllAction_->setEnabled(state.checkpointMarked);
    snapshotAAction_->setText(state.snapshotARows ? tr("Snapshot A (%1)").arg(*state.snapshotARows)
                                                  : tr("Snapshot A"));
    snapshotBAction_->setText(state.snapshotBRows ? tr("Snapshot B (%1)").arg(*state.snapshotBRows)
                                                  : tr("Snapshot B"));
    diffAction_->setEnabled(state.snapshotARows && state.snapshotBRows);
    suppressAction_->setEnabled(state.stackSelected);
    suppressionsButton_->setText(state.suppressedStacks == 0
                                     ? tr("Suppressed")
                                     : tr("Suppressed (%1)").arg(state.suppressedStacks));
}

void LeakToolBar::rebuildSuppressionsMenu() {
    suppressionsMenu_->clear();
    const QStringList list = suppressions_.sortedSignatures();
    if (list.isEmpty()) {
        suppressionsMenu_->addAction(tr("No stack is suppressed"))->setEnabled(false);
        return;
    }
    for (const QString& signature : list) {
        const QStringList functions = signature.split(QLatin1Char('\n'));
        const QString title =
            functions.size() > 1
                ? tr("Show again: %1 (+%2 frames)").arg(functions.front()).arg(functions.size() - 1)
                : tr("Show again: %1").arg(functions.front());
        QAction* action = suppressionsMenu_->addAction(title);
        action->setToolTip(signature);
        connect(action, &QAction::triggered, this,
                [this, signature] { emit unsuppressRequested(signature); });
    }
    suppressionsMenu_->addSeparator();
    suppressionsMenu_->addAction(tr("Clear all suppressions"), this,
                                 &LeakToolBar::clearSuppressionsRequested);
}

}  // namespace poolscope
