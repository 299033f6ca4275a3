#include "AnalysesView.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "models/CallSiteModel.h"
#include "views/FlameGraphView.h"

namespace poolscope {

AnalysesView::AnalysesView(QWidget* parent) : QWidget(parent), analysis_(this) {
    title_ = new QLabel(tr("No recording analysed"), this);
    // A long file name must not widen the dock beyond the window's smallest width.
    title_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    cost_ = new QComboBox(this);
    cost_->addItem(tr("Allocations"), static_cast<int>(CollapsedStacks::Cost::Allocations));
    cost_->addItem(tr("Leaked bytes"), static_cast<int>(CollapsedStacks::Cost::Leaked));
    cost_->addItem(tr("Bytes at peak"), static_cast<int>(CollapsedStacks::Cost::Peak));
    search_ = new QLineEdit(this);
    search_->setPlaceholderText(tr("Search frames"));
    search_->setClearButtonEnabled(true);
    busy_ = new QProgressBar(this);
    // No figure tells how far a pass over the recording has got: the bar only says it runs.
    busy_->setRange(0, 0);
    busy_->setMaximumWidth(120);
    busy_->setVisible(false);

    auto* bar = new QHBoxLayout;
    bar->addWidget(title_, 1);
    bar->addWidget(busy_);
    bar->addWidget(new QLabel(tr("Cost:"), this));
    bar->addWidget(cost_);
    bar->addWidget(search_);

    flameGraph_ = new FlameGraphView(this);
    callSites_ = new CallSiteModel(this);
    sorted_ = new QSortFilterProxyModel(this);
    sorted_->setSourceModel(callSites_);
    sorted_->setSortRole(CallSiteModel::kSortRole);
    sorted_->setFilterKeyColumn(CallSiteModel::Site);
    sorted_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    table_ = new QTableView(this);
    table_->setModel(sorted_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(CallSiteModel::Allocations, Qt::DescendingOrder);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(CallSiteModel::Site, QHeaderView::Stretch);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    // A site's frames differ most at their ends: the function's scope and the caller's line.
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideMiddle);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(flameGraph_);
    splitter->addWidget(table_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    connect(cost_, &QComboBox::currentIndexChanged, this, [this] {
        flameGraph_->setCost(static_cast<CollapsedStacks::Cost>(cost_->currentData().toInt()));
    });
    connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
        flameGraph_->setSearch(text);
        sorted_->setFilterFixedString(text);
    });
    connect(&analysis_, &RecordingAnalysis::busyChanged, busy_, &QWidget::setVisible);
    connect(&analysis_, &RecordingAnalysis::ready, this, &AnalysesView::showResult);
}

void AnalysesView::showRecording(const QString& recordingPath) {
    title_->setText(tr("Analysing %1…").arg(QFileInfo(recordingPath).fileName()));
    analysis_.request(recordingPath);
}

void AnalysesView::clear() {
    analysis_.cancel();
    title_->setText(tr("No recording analysed"));
    flameGraph_->setTree(nullptr);
    callSites_->setRows({});
}

void AnalysesView::showResult(const std::shared_ptr<const RecordingAnalysisResult>& result) {
    const QString name = QFileInfo(result->recordingPath).fileName();
    if (!result->error.isEmpty()) {
        title_->setText(tr("Could not analyse %1: %2").arg(name, result->error));
        flameGraph_->setTree(nullptr);
        callSites_->setRows({});
        return;
    }
    title_->setText(
        tr("%1: %n call site(s)", nullptr, static_cast<int>(result->sites.size())).arg(name));
    // The tree lives as long as the result the view holds.
    flameGraph_->setTree(std::shared_ptr<const CallTree>(result, &result->topDown));
    callSites_->setRows(result->sites);
}

}  // namespace poolscope
