#include "PeakTemporaryPage.h"

#include <QAction>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "models/DisplayFormat.h"
#include "models/PeakConsumerModel.h"
#include "models/TemporaryAllocationModel.h"

namespace poolscope {

namespace {

QSortFilterProxyModel* sortedOf(QAbstractItemModel* model, QObject* parent) {
    auto* sorted = new QSortFilterProxyModel(parent);
    sorted->setSourceModel(model);
    sorted->setSortRole(Qt::UserRole);
    sorted->setFilterKeyColumn(0);
    sorted->setFilterCaseSensitivity(Qt::CaseInsensitive);
    return sorted;
}

QWidget* section(QLabel* summary, QTableView* table, QWidget* parent) {
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    summary->setWordWrap(true);
    summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(summary);
    layout->addWidget(table, 1);
    return box;
}

}  // namespace

PeakTemporaryPage::PeakTemporaryPage(QWidget* parent) : QWidget(parent) {
    static_assert(int{PeakConsumerModel::kSortRole} == int{Qt::UserRole} &&
                  int{TemporaryAllocationModel::kSortRole} == int{Qt::UserRole});
    peak_ = new PeakConsumerModel(this);
    temporary_ = new TemporaryAllocationModel(this);
    sortedPeak_ = sortedOf(peak_, this);
    sortedTemporary_ = sortedOf(temporary_, this);
    peakSummary_ = new QLabel(this);
    temporarySummary_ = new QLabel(this);

    peakTable_ = tableOf(sortedPeak_, PeakConsumerModel::Site, PeakConsumerModel::Bytes);
    temporaryTable_ = tableOf(sortedTemporary_, TemporaryAllocationModel::Site,
                              TemporaryAllocationModel::Temporary);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(section(peakSummary_, peakTable_, splitter));
    splitter->addWidget(section(temporarySummary_, temporaryTable_, splitter));
    for (QTableView* table : {peakTable_, temporaryTable_}) {
        connect(table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
            emit siteChosen(rowAt(index).frames, CallSitesPage::Destination::BottomUp);
        });
        addSiteActions(table);
    }
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
    clear();
}

QTableView* PeakTemporaryPage::tableOf(QSortFilterProxyModel* sorted, int stretchedColumn,
                                       int sortColumn) {
    auto* table = new QTableView(this);
    table->setModel(sorted);
    table->setSortingEnabled(true);
    table->sortByColumn(sortColumn, Qt::DescendingOrder);
    table->verticalHeader()->hide();
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setSectionResizeMode(stretchedColumn, QHeaderView::Stretch);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setWordWrap(false);
    table->setTextElideMode(Qt::ElideMiddle);
    return table;
}

void PeakTemporaryPage::addSiteActions(QTableView* table) {
    const auto add = [this, table](const QString& text, CallSitesPage::Destination destination) {
        auto* action = new QAction(text, table);
        connect(action, &QAction::triggered, this, [this, table, destination] {
            if (table->currentIndex().isValid()) {
                emit siteChosen(rowAt(table->currentIndex()).frames, destination);
            }
        });
        table->addAction(action);
    };
    add(tr("Show in &Bottom-up Tree"), CallSitesPage::Destination::BottomUp);
    add(tr("Show in &Top-down Tree"), CallSitesPage::Destination::TopDown);
    add(tr("Show in &Flame Graph"), CallSitesPage::Destination::FlameGraph);
    table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(table, &QWidget::customContextMenuRequested, this, [table](const QPoint& position) {
        const QModelIndex index = table->indexAt(position);
        if (!index.isValid()) {
            return;
        }
        table->setCurrentIndex(index);
        QMenu menu(table);
        menu.addActions(table->actions());
        menu.exec(table->viewport()->mapToGlobal(position));
    });
}

QList<QAction*> PeakTemporaryPage::siteActions(QTableView* table) const {
    return table->actions();
}

const CallSiteModel::Row& PeakTemporaryPage::rowAt(const QModelIndex& sortedIndex) const {
    if (sortedIndex.model() == sortedPeak_) {
        return peak_->row(sortedPeak_->mapToSource(sortedIndex).row());
    }
    return temporary_->row(sortedTemporary_->mapToSource(sortedIndex).row());
}

void PeakTemporaryPage::setResult(std::shared_ptr<const RecordingAnalysisResult> result,
                                  std::int64_t timeOriginNanoseconds) {
    peak_->setRows(result->peakConsumers, result->peakBytes);
    temporary_->setRows(result->temporary);
    const QLocale locale;
    if (result->peakBytes == 0) {
        peakSummary_->setText(tr("Peak: nothing was held at once"));
    } else {
        const double seconds =
            static_cast<double>(result->peakNanoseconds - timeOriginNanoseconds) / 1e9;
        peakSummary_->setText(tr("Peak: %1 held at %2 s, by %n call site(s)", nullptr,
                                 static_cast<int>(result->peakConsumers.size()))
                                  .arg(DisplayFormat::exactBytes(result->peakBytes),
                                       locale.toString(seconds, 'f', 3)));
    }
    std::uint64_t temporaryCount = 0;
    std::uint64_t allocations = 0;
    for (const CallSiteModel::Row& site : result->sites) {
        temporaryCount += site.cost.temporaryAllocations;
        allocations += site.cost.allocations;
    }
    const double share = allocations > 0 ? 100.0 * static_cast<double>(temporaryCount) /
                                               static_cast<double>(allocations)
                                         : 0.0;
    temporarySummary_->setText(
        tr("Temporary allocations (freed before their thread made or freed anything else): "
           "%1 of %2 (%3 %)")
            .arg(DisplayFormat::count(static_cast<qint64>(temporaryCount)),
                 DisplayFormat::count(static_cast<qint64>(allocations)),
                 locale.toString(share, 'f', 1)));
}

void PeakTemporaryPage::clear() {
    peak_->setRows({}, 0);
    temporary_->setRows({});
    peakSummary_->setText(tr("Peak: no recording analysed"));
    temporarySummary_->setText(tr("Temporary allocations: no recording analysed"));
}

void PeakTemporaryPage::setSearch(const QString& text) {
    sortedPeak_->setFilterFixedString(text);
    sortedTemporary_->setFilterFixedString(text);
}

QString PeakTemporaryPage::peakSummary() const {
    return peakSummary_->text();
}

QString PeakTemporaryPage::temporarySummary() const {
    return temporarySummary_->text();
}

}  // namespace poolscope
