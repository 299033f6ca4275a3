#include "views/GcVsPoolView.h"

#include <QHeaderView>
#include <QScrollArea>
#include <QTableView>
#include <QVBoxLayout>

#include "models/GcVsPoolComparison.h"
#include "session/EngineSession.h"
#include "views/GcVsPoolPanes.h"

namespace poolscope {

GcVsPoolView::GcVsPoolView(QWidget* parent)
    : QWidget(parent),
      comparison_(new GcVsPoolComparison(this)),
      panes_(new GcVsPoolPanes(*comparison_, this)),
      table_(new QTableView(this)) {
    table_->setModel(comparison_);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    // Below the panes' and the table's height the view scrolls instead of holding the docks
    // it shares the window's column with to that height.
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* content = new QWidget(scroll);
    scroll->setWidget(content);
    outer->addWidget(scroll);
    auto* layout = new QVBoxLayout(content);
    layout->addWidget(panes_, 3);
    layout->addWidget(table_, 2);
}

void GcVsPoolView::clear() {
    comparison_->clear();
}

void GcVsPoolView::addSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    if (snapshot) {
        comparison_->addSnapshot(*snapshot);
    }
}

void GcVsPoolView::showRun(const RunOutcome& outcome) {
    comparison_->setReport(outcome.report);
}

}  // namespace poolscope
