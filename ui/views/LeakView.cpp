#include "views/LeakView.h"

#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>
#include <vector>

#include "models/AllocationDiff.h"
#include "models/DisplayFormat.h"
#include "models/LeakCsvExport.h"
#include "models/LeakFilterProxyModel.h"
#include "models/LeakTableModel.h"
#include "models/StackGroupModel.h"
#include "views/LeakToolBar.h"
#include "views/StackDetailPane.h"

namespace poolscope {

namespace {

std::int64_t nowOf(const SessionSnapshot& snapshot) {
    return snapshot.timeOriginNanoseconds +
           static_cast<std::int64_t>(snapshot.pool.secondsSinceStart * 1e9);
}

}  // namespace

LeakView::LeakView(QWidget* parent)
    : QWidget(parent),
      model_(new LeakTableModel(this)),
      proxy_(new LeakFilterProxyModel(this)),
      groups_(new StackGroupModel(this)) {
    proxy_->setSourceModel(model_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    toolbar_ = new LeakToolBar(suppressions_, this);
    connectToolbar();
    layout->addWidget(toolbar_);

    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("leakStatus"));
    status_->setTextFormat(Qt::RichText);
    status_->setContentsMargins(6, 0, 6, 0);
    status_->setForegroundRole(QPalette::WindowText);
    connect(status_, &QLabel::linkActivated, this, &LeakView::onStatusLink);
    layout->addWidget(status_);

    table_ = new QTableView(this);
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(LeakTableModel::SizeColumn, Qt::DescendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideMiddle);
    table_->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // A million rows: every row the same height, never measured.
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    QHeaderView* header = table_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    header->setHighlightSections(false);
    // Columns are measured on the rows in view, not on a million.
    header->setResizeContentsPrecision(0);
    // The top frame stretches with the window; any other column resized is the reader's.
    connect(header, &QHeaderView::sectionResized, this, [this](int column) {
        columnsSizedByHand_ =
            columnsSizedByHand_ || (!fittingColumns_ && column != LeakTableModel::TopFrameColumn);
    });
    const int digit = fontMetrics().horizontalAdvance(QLatin1Char('0'));
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &LeakView::onCurrentChanged);
    connect(model_, &LeakTableModel::textChanged, table_->viewport(),
            qOverload<>(&QWidget::update));

    tree_ = new QTreeView(this);
    tree_->setModel(groups_);
    tree_->setUniformRowHeights(true);
    tree_->setAlternatingRowColors(true);
    tree_->setSelectionMode(QAbstractItemView::SingleSelection);
    tree_->setTextElideMode(Qt::ElideMiddle);
    tree_->header()->setStretchLastSection(false);
    tree_->header()->setSectionResizeMode(StackGroupModel::NameColumn, QHeaderView::Stretch);
    tree_->header()->resizeSection(StackGroupModel::CountColumn, digit * 10);
    tree_->header()->resizeSection(StackGroupModel::BytesColumn, digit * 12);
    connect(tree_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &LeakView::onCurrentChanged);

    pages_ = new QStackedWidget(this);
    pages_->addWidget(table_);
    pages_->addWidget(tree_);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(pages_);
    detail_ = new StackDetailPane(this);
    splitter->addWidget(detail_);
    connect(detail_, &StackDetailPane::shortTemplatesToggled, this, [this](bool on) {
        groups_->setShortenTemplateArguments(on);
        showDetail(selectedAllocation_, selectedStackId_);
    });
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);

    proxy_->setSuppressedSignatures(suppressions_.signatures());
    fitColumns();
    showDetail(std::nullopt, std::nullopt);
    updateActions();
    updateStatus();
}

LeakView::~LeakView() = default;

QString LeakView::suppressionsSettingsKey() {
    return StackSuppressions::settingsKey();
}

void LeakView::connectToolbar() {
    connect(toolbar_, &LeakToolBar::filterTextChanged, this, [this](const QString& text) {
        proxy_->setTextFilter(text);
        filtersChanged();
    });
    connect(toolbar_, &LeakToolBar::minimumBytesChanged, this, [this](std::uint64_t bytes) {
        proxy_->setMinimumBytes(bytes);
        filtersChanged();
    });
    connect(toolbar_, &LeakToolBar::groupedToggled, this, &LeakView::setGroupedByStack);
    connect(toolbar_, &LeakToolBar::checkpointRequested, this, &LeakView::requestCheckpoint);
    connect(toolbar_, &LeakToolBar::showAllRequested, this, &LeakView::showAllAllocations);
    connect(toolbar_, &LeakToolBar::snapshotARequested, this, &LeakView::takeSnapshotA);
    connect(toolbar_, &LeakToolBar::snapshotBRequested, this, &LeakView::takeSnapshotB);
    connect(toolbar_, &LeakToolBar::diffToggled, this, [this](bool on) { showDiff(on); });
    connect(toolbar_, &LeakToolBar::suppressRequested, this, &LeakView::suppressSelectedStack);
    connect(toolbar_, &LeakToolBar::unsuppressRequested, this, [this](const QString& signature) {
        suppressions_.remove(signature);
        suppressionsChanged();
    });
    connect(toolbar_, &LeakToolBar::clearSuppressionsRequested, this, &LeakView::clearSuppressions);
    connect(toolbar_, &LeakToolBar::exportRequested, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export leaks as CSV"), QStringLiteral("leaks.csv"), tr("CSV files (*.csv)"));
        if (path.isEmpty()) {
            return;
        }
        QString error;
        if (!exportCsv(path, &error)) {
            QMessageBox::warning(this, tr("Export CSV"), error);
        }
    });
}

void LeakView::setSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    if (!snapshot || snapshot == snapshot_) {
        return;
    }
    snapshot_ = snapshot;
    if (timeOrigin_ != snapshot->timeOriginNanoseconds) {
        timeOrigin_ = snapshot->timeOriginNanoseconds;
        if (timeRange_) {
            proxy_->setTimeRange(timeRange_->first, timeRange_->second, timeOrigin_);
        }
    }
    if (!diff_) {
        applyTable(snapshot->allocations, snapshot->stacks, nowOf(*snapshot));
    }
    updateActions();
}

void LeakView::applyTable(std::shared_ptr<const AllocationTable> table,
                          std::shared_ptr<const StackCatalog> stacks, std::int64_t nowNanoseconds) {
    if (table == model_->table()) {
        model_->setData(std::move(table), std::move(stacks), nowNanoseconds);
        return;
    }
    // A new table resets the model: keep the reader's place (scroll and selection) by id.
    const int scroll = table_->verticalScrollBar()->value();
    tableBytes_ = table ? table->bytes : 0;
    model_->setData(std::move(table), std::move(stacks), nowNanoseconds);
    fitColumns();
    table_->verticalScrollBar()->setValue(scroll);
    if (pages_->currentWidget() == tree_) {
        refreshGroups();
    }
    if (selectedAllocation_) {
        selectAllocation(*selectedAllocation_);
    }
    updateStatus();
}

void LeakView::fitColumns() {
    if (columnsSizedByHand_) {
        return;  // the reader's widths stay
    }
    fittingColumns_ = true;
    QHeaderView* header = table_->horizontalHeader();
    // QTableView hides the measure its base class offers to everyone.
    const QAbstractItemView& view = *table_;
    // Every column but the top frame as wide as its header and the rows in view (an empty one
    // stays narrow); the top frame, last, stretches over the rest. In a narrow table the
    // others give way (never below their header) so that the top frame keeps a share.
    std::vector<int> widths;
    int total = 0;
    for (int column = 0; column < LeakTableModel::TopFrameColumn; ++column) {
        widths.push_back(std::max(header->sectionSizeHint(column), view.sizeHintForColumn(column)));
        total += widths.back();
    }
    const int room = table_->viewport()->width() * (100 - kTopFrameSharePercent) / 100;
    for (int column = 0; column < LeakTableModel::TopFrameColumn; ++column) {
        int width = widths[static_cast<std::size_t>(column)];
        if (total > room && room > 0) {
            width = std::max(header->sectionSizeHint(column),
                             static_cast<int>(static_cast<std::int64_t>(width) * room / total));
        }
        header->resizeSection(column, width);
    }
    fittingColumns_ = false;
}

void LeakView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    fitColumns();
}

void LeakView::filtersChanged() {
    if (pages_->currentWidget() == tree_) {
        refreshGroups();
    }
    if (selectedAllocation_) {
        selectAllocation(*selectedAllocation_);
    }
    updateStatus();
}

void LeakView::refreshGroups() {
    groups_->setData(model_->table(), model_->stacks(),
                     [this](int row) { return proxy_->acceptsSourceRow(model_->modelRow(row)); });
}

void LeakView::setGroupedByStack(bool grouped) {
    if (grouped == isGroupedByStack()) {
        return;
    }
    if (grouped) {
        refreshGroups();
        pages_->setCurrentWidget(tree_);
    } else {
        pages_->setCurrentWidget(table_);
        groups_->setData(nullptr, nullptr);  // nobody looks: drop the groups' row lists
    }
    toolbar_->showGrouped(grouped);
    if (selectedAllocation_) {
        selectAllocation(*selectedAllocation_);
    }
}

bool LeakView::isGroupedByStack() const {
    return pages_->currentWidget() == tree_;
}

void LeakView::setFilterText(const QString& text) {
    toolbar_->setFilterText(text);
}

void LeakView::setMinimumBytes(std::uint64_t bytes) {
    if (toolbar_->chooseMinimumBytes(bytes)) {
        return;
    }
    proxy_->setMinimumBytes(bytes);
    filtersChanged();
}

void LeakView::setTimeRange(double fromSeconds, double toSeconds) {
    timeRange_ = std::minmax(fromSeconds, toSeconds);
    proxy_->setTimeRange(timeRange_->first, timeRange_->second, timeOrigin_);
    filtersChanged();
}

void LeakView::clearTimeRange() {
    timeRange_.reset();
    proxy_->clearTimeRange();
    filtersChanged();
}

void LeakView::requestCheckpoint() {
    const AllocationTable* table = snapshot_ ? snapshot_->allocations.get() : nullptr;
    checkpointMark_ = table != nullptr && !table->rows.empty() ? table->rows.back().id : 0;
    checkpointLabel_ = tr("checkpoint %1").arg(++checkpointCount_);
    proxy_->setCheckpointMark(*checkpointMark_);
    filtersChanged();
    updateActions();
    emit checkpointRequested(checkpointLabel_);
}

void LeakView::showAllAllocations() {
    checkpointMark_.reset();
    proxy_->setCheckpointMark(0);
    filtersChanged();
    updateActions();
}

void LeakView::takeSnapshotA() {
    snapshotA_ = snapshot_;
    updateActions();
    updateStatus();
}

void LeakView::takeSnapshotB() {
    snapshotB_ = snapshot_;
    updateActions();
    updateStatus();
}

bool LeakView::showDiff(bool on) {
    const bool possible =
        snapshotA_ && snapshotB_ && snapshotA_->allocations && snapshotB_->allocations;
    on = on && possible;
    if (on) {
        diff_.emplace(*snapshotA_->allocations, *snapshotB_->allocations);
        applyTable(diff_->newAllocations(), snapshotB_->stacks, nowOf(*snapshotB_));
    } else {
        diff_.reset();
        if (snapshot_) {
            applyTable(snapshot_->allocations, snapshot_->stacks, nowOf(*snapshot_));
        }
    }
    toolbar_->showDiff(on);
    updateActions();
    updateStatus();
    return on;
}

std::optional<StackId> LeakView::selectedStack() const {
    return selectedStackId_;
}

void LeakView::suppressSelectedStack() {
    const std::optional<StackId> stack = selectedStack();
    const std::vector<Frame>* frames =
        stack && model_->stacks() ? model_->stacks()->stack(*stack) : nullptr;
    if (frames == nullptr || frames->empty()) {
        return;
    }
    suppressions_.add(LeakTableModel::stackSignature(*frames));
    suppressionsChanged();
}

void LeakView::clearSuppressions() {
    suppressions_.clear();
    suppressionsChanged();
}

void LeakView::suppressionsChanged() {
    proxy_->setSuppressedSignatures(suppressions_.signatures());
    filtersChanged();
    updateActions();
}

QSet<QString> LeakView::suppressedStackSignatures() const {
    return suppressions_.signatures();
}

void LeakView::updateActions() {
    LeakToolBar::State state;
    state.checkpointMarked = checkpointMark_.has_value();
    if (snapshotA_) {
        state.snapshotARows = snapshotA_->allocations ? snapshotA_->allocations->rows.size() : 0;
    }
    if (snapshotB_) {
        state.snapshotBRows = snapshotB_->allocations ? snapshotB_->allocations->rows.size() : 0;
    }
    state.stackSelected = selectedStackId_.has_value() && *selectedStackId_ != 0;
    state.suppressedStacks = suppressions_.size();
    toolbar_->setState(state);
}

void LeakView::updateStatus() {
    const int total = model_->rowCount();
    QStringList parts;
    if (diff_) {
        parts.append(tr("<b>Diff:</b> %1 allocations (%2) live in B that A did not have; %3 of "
                        "A's gone by B")
                         .arg(total)
                         .arg(DisplayFormat::bytes(diff_->newBytes()))
                         .arg(diff_->freedCount()));
        if (visibleRowCount() != total) {
            parts.append(tr("%1 shown").arg(visibleRowCount()));
        }
        parts.append(tr("<a href=\"live\">back to live</a>"));
    } else {
        parts.append(tr("%1 of %2 undisposed allocations shown (%3 live)")
                         .arg(visibleRowCount())
                         .arg(total)
                         .arg(DisplayFormat::bytes(tableBytes_)));
    }
    if (checkpointMark_) {
        parts.append(tr("since %1 <a href=\"show-all\">show all</a>").arg(checkpointLabel_));
    }
    if (timeRange_) {
        parts.append(tr("created %1 s to %2 s <a href=\"clear-time\">clear</a>")
                         .arg(timeRange_->first, 0, 'f', 2)
                         .arg(timeRange_->second, 0, 'f', 2));
    }
    if (!suppressions_.isEmpty()) {
        parts.append(tr("%n stack(s) suppressed", nullptr, static_cast<int>(suppressions_.size())));
    }
    status_->setText(parts.join(QStringLiteral(" &nbsp;·&nbsp; ")));
}

void LeakView::onStatusLink(const QString& link) {
    if (link == QLatin1String("live")) {
        showDiff(false);
    } else if (link == QLatin1String("show-all")) {
        showAllAllocations();
    } else if (link == QLatin1String("clear-time")) {
        clearTimeRange();
    }
}

int LeakView::visibleRowCount() const {
    return proxy_->rowCount();
}

void LeakView::onCurrentChanged() {
    std::optional<AllocationId> allocation;
    std::optional<StackId> stack;
    if (isGroupedByStack()) {
        const QModelIndex current = tree_->selectionModel()->currentIndex();
        allocation = groups_->allocationAt(current);
        stack = groups_->stackAt(current);
    } else {
        const QModelIndex current = proxy_->mapToSource(table_->selectionModel()->currentIndex());
        if (current.isValid()) {
            const LiveAllocation& row = model_->allocationAt(current.row());
            allocation = row.id;
            stack = row.stackId;
        }
    }
    if (!allocation && !stack) {
        return;  // a reset cleared the selection: keep showing what was selected
    }
    selectedAllocation_ = allocation;
    selectedStackId_ = stack;
    showDetail(allocation, stack);
    updateActions();
    if (allocation && !selectingQuietly_) {
        emit allocationSelected(*allocation);
    }
}

void LeakView::selectAllocation(AllocationId id) {
    selectingQuietly_ = true;
    if (isGroupedByStack()) {
        const QModelIndex index = groups_->indexOfAllocation(id);
        if (index.isValid()) {
            tree_->expand(index.parent());
            tree_->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        } else {
            tree_->selectionModel()->clearSelection();
        }
    } else {
        const int sourceRow = model_->rowOfAllocation(id);
        const QModelIndex index =
            sourceRow < 0 ? QModelIndex() : proxy_->mapFromSource(model_->index(sourceRow, 0));
        if (index.isValid()) {
            table_->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        } else {
            table_->selectionModel()->clearSelection();
        }
    }
    selectingQuietly_ = false;
}

void LeakView::setSelectedAllocation(quint64 id) {
    // 0 names no allocation: the selection and the stack pane are cleared.
    const std::optional<AllocationId> wanted =
        id != 0 ? std::optional<AllocationId>(id) : std::nullopt;
    if (selectedAllocation_ == wanted) {
        return;
    }
    selectedAllocation_ = wanted;
    const LiveAllocation* row = model_->table() ? model_->table()->find(id) : nullptr;
    selectedStackId_ = row != nullptr ? std::optional<StackId>(row->stackId) : std::nullopt;
    selectAllocation(id);
    if (isGroupedByStack()) {
        const QModelIndex index = groups_->indexOfAllocation(id);
        if (index.isValid()) {
            tree_->scrollTo(index);
        }
    } else {
        const int sourceRow = model_->rowOfAllocation(id);
        if (sourceRow >= 0) {
            const QModelIndex index = proxy_->mapFromSource(model_->index(sourceRow, 0));
            if (index.isValid()) {
                table_->scrollTo(index, QAbstractItemView::PositionAtCenter);
            }
        }
    }
    showDetail(selectedAllocation_, selectedStackId_);
    updateActions();
}

void LeakView::showDetail(std::optional<AllocationId> allocation, std::optional<StackId> stack) {
    detail_->showAllocation(*model_, *groups_, allocation, stack);
}

QString LeakView::detailStackText() const {
    return detail_->stackText();
}

bool LeakView::exportCsv(const QString& path, QString* error) const {
    std::vector<int> rows;
    rows.reserve(static_cast<std::size_t>(proxy_->rowCount()));
    for (int i = 0; i < proxy_->rowCount(); ++i) {
        rows.push_back(proxy_->mapToSource(proxy_->index(i, 0)).row());
    }
    return LeakCsvExport::write(path, *model_, rows, error);
}

}  // namespace poolscope
