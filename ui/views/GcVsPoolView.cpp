#include "views/GcVsPoolView.h"

#include <QHeaderView>
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
    auto* layout = new QVBoxLayout(this);
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
